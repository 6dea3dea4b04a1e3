// worker: serves example.request -> example.reply for a broker, connected to
// the broker's private ipc back end, from an event loop (an empty text is
// answered with a typed error). With --vouch-key (the broker's group MAC
// key) it accepts only requests the broker vouched for and prints the
// authenticated client of each one.
#include <zguard/zguard.hpp>

#include <csignal>
#include <iostream>
#include <stop_token>

#include "cli.hpp"
#include "demo_sockets.hpp"

namespace zg = zguard;
using namespace example;

namespace {
// An event loop serves the requests (other sockets and timers could join it)
// and answers each with reply(): the value, or a typed error the client's
// call() reads as application_error. reply() keeps serve()'s guarantees: one
// answer per request, to its sender, not after the client was revoked.
template <class Rep, class... Keys>
void serve(zg::context<service_domain>& ctx, example::cli const& cli, Keys const&... keys) {
  Rep rep(ctx, keys...);
  rep.connect(cli.get("connect"));
  std::uint64_t served = 0;
  zg::event_loop loop;
  loop.on(rep, [&](Rep& s) {
    auto got = s.receive();
    if (!got) return;
    example::request const& req = got->value;
    if constexpr (zg::traits_of<Rep>::checks_vouch)  // the broker's word for who sent it, checked with the shared key
      std::cout << cli.get("name") << ": request " << req.sequence << " from client " << got->peer.vouched_client
                << std::endl;
    if (req.text.size() == 0) {
      (void)s.reply(*got, zg::application_error(400, "empty request text"));
      return;
    }
    if (s.reply(*got, example::reply{req.sequence, served + 1, cli.get("name") + ": " + req.text.str()})) ++served;
  });
  loop.run(example::stopper().get_token());
  std::cout << cli.get("name") << ": served " << served << ", refused vouches "
            << ctx.events().count("vouch.refused") << ", refused as not permitted " << ctx.events().count("authz.denied")
            << std::endl;
}
}  // namespace

int main(int argc, char** argv) {
  example::cli cli("worker", "Serves example.request -> example.reply behind a broker.",
                   {{"connect", "the broker's worker endpoint (ipc://absolute/path)", "", true},
                    {"name", "worker name, echoed in replies", "worker", false},
                    {"vouch-key", "the broker's group MAC key (zguard_keygen --sign blake2b): serve only requests "
                                  "it vouched for, and know their client", "", false},
                    {"permissions", "with --vouch-key: a permission file (zguard permissions FILE shows it); serve "
                                    "only clients it lets call example.request, refuse the others", "", false},
                    example::log_sink_flag(), example::log_level_flag()});
  cli.parse(argc, argv);
  if (cli.get("name").size() > 64) cli.fail("--name is at most 64 bytes (replies are bounded_string<1100>)");
  example::stop_on_signals();
  try {
    zg::context<service_domain> ctx;
    cli.configure_log(ctx.events());
    if (!cli.get("vouch-key").empty()) {
      zg::verify_keys<zg::blake2b_mac> keys;
      keys.add(zg::load_signing_key<zg::blake2b_mac>(cli.get("vouch-key")));
      if (!cli.get("permissions").empty()) {
        auto const perms = zg::permissions::from_file(cli.get("permissions"));
        serve<authorized_worker_socket>(ctx, cli, keys, perms);
      } else {
        serve<vouched_worker_socket>(ctx, cli, keys);
      }
    } else if (!cli.get("permissions").empty()) {
      cli.fail("--permissions needs --vouch-key: the worker checks the client the broker vouched for");
    } else {
      serve<worker_socket>(ctx, cli);
    }
  } catch (std::exception const& e) {
    std::cerr << "worker: " << e.what() << "\n";
    return 1;
  }
}
