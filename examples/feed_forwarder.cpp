// feed_forwarder: relays a signed feed. Upstream it is a CURVE client of the
// publisher; downstream a CURVE server with its own subscriber allowlist.
// It holds no signing key and passes envelopes unchanged, so subscribers
// verify the publisher's signature, not the relay's word.
#include <zguard/zguard.hpp>

#include <csignal>
#include <fstream>
#include <iostream>
#include <thread>

#include "cli.hpp"
#include "demo_sockets.hpp"

namespace zg = zguard;
using namespace example;

int main(int argc, char** argv) {
  example::cli cli("feed_forwarder",
                   "Relays a signed feed (XSUB -> XPUB), CURVE on both sides, no signing key.",
                   {{"connect", "publisher endpoint", "", true},
                    {"publisher-cert", "the publisher's public CURVE certificate", "", true},
                    example::cert_flag("this relay's (client upstream, server downstream)"),
                    {"bind", "subscriber endpoint to bind (tcp://host:port, port may be *)", "tcp://127.0.0.1:5558", false},
                    example::allow_dir_flag("subscriber"), example::endpoint_file_flag(),
                    example::log_sink_flag(), example::log_level_flag()});
  cli.parse(argc, argv);
  example::stop_on_signals();
  try {
    zg::context<feed_domain> ctx;
    cli.configure_log(ctx.events());
    zg::authenticator<feed_domain> auth(ctx);
    auth.allow_directory(cli.get("allow-dir"));
    auto keys = zg::load_keypair_certificate(cli.get("cert"));
    upstream_socket up(ctx, keys, zg::load_public_certificate(cli.get("publisher-cert")).key);
    downstream_socket down(ctx, auth, keys);
    up.connect(cli.get("connect"));
    auto bound = down.bind(cli.get("bind"));
    zg::proxy<upstream_socket, downstream_socket> forwarder(ctx, up, down);
    std::cout << "feed_forwarder: " << cli.get("connect") << " -> " << bound.address << "\n"
              << zg::proxy<upstream_socket, downstream_socket>::profile() << std::endl;
    if (!cli.get("endpoint-file").empty()) std::ofstream(cli.get("endpoint-file")) << bound.address << "\n";
    while (!example::stop_requested()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    forwarder.terminate();
  } catch (std::exception const& e) {
    std::cerr << "feed_forwarder: " << e.what() << "\n";
    return 1;
  }
}
