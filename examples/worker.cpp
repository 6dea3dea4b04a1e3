// worker: serves example.request -> example.reply for a broker, connected to
// the broker's private ipc back end.
#include <zguard/zguard.hpp>

#include <csignal>
#include <iostream>
#include <stop_token>

#include "cli.hpp"
#include "demo_sockets.hpp"

namespace zg = zguard;
using namespace example;

int main(int argc, char** argv) {
  example::cli cli("worker", "Serves example.request -> example.reply behind a broker.",
                   {{"connect", "the broker's worker endpoint (ipc://absolute/path)", "", true},
                    {"name", "worker name, echoed in replies", "worker", false}});
  cli.parse(argc, argv);
  if (cli.get("name").size() > 64) cli.fail("--name is at most 64 bytes (replies are bounded_string<1100>)");
  example::stop_on_signals();
  try {
    zg::context<service_domain> ctx;
    worker_socket rep(ctx);
    rep.connect(cli.get("connect"));
    std::uint64_t served = 0;
    rep.serve_messages(
        [&](example::request const& req, zg::peer_info const&) -> example::reply {
          return {req.sequence, ++served, cli.get("name") + ": " + req.text.str()};
        },
        example::stopper().get_token());
    std::cout << cli.get("name") << ": served " << served << std::endl;
  } catch (std::exception const& e) {
    std::cerr << "worker: " << e.what() << "\n";
    return 1;
  }
}
