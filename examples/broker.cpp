// broker: a request broker. Clients reach it over tcp with CURVE (only keys
// in --allow-dir), each limited to 100 requests a second (burst 20) by its
// authenticated key; workers sit behind it on a private ipc endpoint. The
// ROUTER front binds each routing id to the key that first used it, so no
// client can receive another's replies. With --vouch-key (a group MAC key,
// zguard_keygen --sign blake2b) it vouches to its workers for the client of
// each request, so they can authorize per client (worker --vouch-key).
#include <zguard/zguard.hpp>

#include <csignal>
#include <fstream>
#include <iostream>
#include <thread>

#include "cli.hpp"
#include "demo_sockets.hpp"

namespace zg = zguard;
using namespace example;

namespace {
template <class Queue>
void run_until_stopped(zg::context<service_domain>& ctx, Queue& queue, std::string const& address,
                       example::cli const& cli) {
  std::cout << "broker: clients on " << address << ", workers on " << cli.get("back") << "\n"
            << Queue::profile() << std::endl;
  if (!cli.get("endpoint-file").empty()) std::ofstream(cli.get("endpoint-file")) << address << "\n";
  // The figures, for node_exporter's textfile collector, once a second;
  // `zguard health FILE` tells a supervisor whether they still come.
  auto const metrics = cli.get("metrics-file");
  for (int tick = 0; !example::stop_requested(); ++tick) {
    if (!metrics.empty() && tick % 10 == 0) ctx.metrics().write_textfile(metrics);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  queue.terminate();
  if (!metrics.empty()) ctx.metrics().write_textfile(metrics);
  std::cout << "broker: rate-limited " << ctx.events().count("rate.limited") << ", identity mismatches "
            << ctx.events().count("router.identity_mismatch") << ", refused handshakes "
            << ctx.events().count("zap.deny") << std::endl;
}
}  // namespace

int main(int argc, char** argv) {
  example::cli cli("broker",
                   "Request broker: CURVE ROUTER front for clients (allowlist, per-key rate\n"
                   "limit, routing ids bound to keys), DEALER back on ipc for workers.",
                   {{"front", "client endpoint to bind (tcp://host:port, port may be *)", "tcp://127.0.0.1:5557", false},
                    example::cert_flag("broker"), example::allow_dir_flag("client"),
                    {"back", "worker endpoint to bind (ipc://absolute/path)", "", true},
                    {"vouch-key", "group MAC key shared with the workers (zguard_keygen --sign blake2b): vouch for "
                                  "each request's client", "", false},
                    example::endpoint_file_flag(),
                    {"metrics-file", "write the broker's metrics (Prometheus text) to this file every second, "
                                     "e.g. in node_exporter's textfile directory", "", false},
                    example::log_sink_flag(), example::log_level_flag()});
  cli.parse(argc, argv);
  example::stop_on_signals();
  try {
    zg::context<service_domain> ctx;
    cli.configure_log(ctx.events());
    zg::authenticator<service_domain> auth(ctx);
    auth.allow_directory(cli.get("allow-dir"));
    auto keys = zg::load_keypair_certificate(cli.get("cert"));
    front_socket front(ctx, auth, keys);
    back_socket back(ctx);
    auto bound = front.bind(cli.get("front"));
    back.bind(cli.get("back"));
    if (!cli.get("vouch-key").empty()) {
      auto vouch_key = zg::load_signing_key<zg::blake2b_mac>(cli.get("vouch-key"));
      zg::proxy<front_socket, back_socket, zg::vouch_clients<zg::blake2b_mac>> queue(ctx, front, back, vouch_key);
      run_until_stopped(ctx, queue, bound.address, cli);
    } else {
      zg::proxy<front_socket, back_socket> queue(ctx, front, back);
      run_until_stopped(ctx, queue, bound.address, cli);
    }
  } catch (std::exception const& e) {
    std::cerr << "broker: " << e.what() << "\n";
    return 1;
  }
}
