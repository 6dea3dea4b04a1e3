// The server roles the reliability tests run in child processes. Each writes
// its bound endpoint to a file once listening, runs until SIGTERM (or is
// killed with SIGKILL by a fault test), and on SIGTERM prints its event
// counters as "counter NAME VALUE" lines.
#include <csignal>
#include <stop_token>

#include "harness.hpp"

namespace reliability {
namespace {

std::stop_source& stopper() {
  static std::stop_source source;
  return source;
}
extern "C" void on_signal(int) { stopper().request_stop(); }

void print_counters(zg::event_log const& log) {
  for (auto const& [name, value] : log.counters()) std::cout << "counter " << name << " " << value << "\n";
  std::cout << std::flush;
}

// The service under attack: CURVE (allowlist), signed requests from known
// signers only, per-key rate limit, declared HWMs and message size.
int serve(fs::path const& keydir, std::string const& bind, fs::path const& endpoint_file) {
  zg::context<rel_domain> ctx(zg::event_sink{});  // counted, not printed: floods make millions
  zg::authenticator<rel_domain> auth(ctx);
  auth.allow_directory(keydir / "clients");
  zg::verify_keys<zg::ed25519> signers;
  for (auto const& e : fs::directory_iterator(keydir / "signers"))
    if (e.path().extension() == ".sign") signers.add(zg::load_verify_key(e.path()));
  auto keys = zg::load_keypair_certificate(keydir / "server.cert");
  service_socket rep(ctx, auth, keys, zg::load_signing_key<zg::ed25519>(keydir / "server.sign"), signers);
  auto bound = rep.bind(bind);
  std::ofstream(endpoint_file) << bound.address << "\n";
  std::uint64_t served = 0;
  rep.serve(
      [&](task const& t, zg::peer_info const&, zg::signed_origin const&) {
        return task_done{t.client, t.id, ++served};
      },
      stopper().get_token());
  std::cout << "served " << served << "\n";
  print_counters(ctx.events());
  return 0;
}

// A signed feed of ticks numbered 1, 2, ... (new epoch at every start).
int publish(fs::path const& keydir, std::string const& bind, fs::path const& endpoint_file) {
  zg::context<rel_domain> ctx(zg::event_sink{});
  zg::authenticator<rel_domain> auth(ctx);
  auth.allow_directory(keydir / "clients");
  feed_pub pub(ctx, auth, zg::load_keypair_certificate(keydir / "server.cert"),
               zg::load_signing_key<zg::ed25519>(keydir / "server.sign"));
  auto bound = pub.bind(bind);
  std::ofstream(endpoint_file) << bound.address << "\n";
  // Bounded: 10 minutes at most even if nobody stops it.
  for (std::uint64_t seq = 1; !stopper().stop_requested() && seq <= 600000; ++seq) {
    (void)pub.send(tick{seq});
    std::this_thread::sleep_for(1ms);
  }
  print_counters(ctx.events());
  return 0;
}

// A client making CALLS sequential calls; prints "answered N lost M".
int client(fs::path const& keydir, std::string const& name, std::string const& endpoint, long calls) {
  key_store const keys{keydir, key_store::existing};
  zg::context<rel_domain> ctx(zg::event_sink{});
  client_socket req(ctx, keys.client_keys(name), keys.server_key(), keys.client_signing(name), keys.server_verify());
  req.connect(endpoint);
  long answered = 0, lost = 0;
  for (long i = 1; i <= calls && !stopper().stop_requested(); ++i) {
    // Up to 40 attempts of 500 ms: a cut link of a few seconds is survived.
    auto r = req.call(task{1, std::uint64_t(i), "across the link"}, 40);
    if (r && r->id == std::uint64_t(i)) ++answered;
    else ++lost;
    std::this_thread::sleep_for(20ms);
  }
  std::cout << "answered " << answered << " lost " << lost << std::endl;
  print_counters(ctx.events());
  return lost == 0 ? 0 : 1;
}

}  // namespace

int run_role(int argc, char** argv) {
  std::signal(SIGTERM, on_signal);
  std::signal(SIGINT, on_signal);
  std::string const role = argv[0];
  try {
    if (role == "serve" && argc == 4) return serve(argv[1], argv[2], argv[3]);
    if (role == "publish" && argc == 4) return publish(argv[1], argv[2], argv[3]);
    if (role == "client" && argc == 5) return client(argv[1], argv[2], argv[3], std::atol(argv[4]));
  } catch (std::exception const& e) {
    std::cerr << "role " << role << ": " << e.what() << std::endl;
    return 1;
  }
  std::cerr << "unknown role or arguments: " << role << std::endl;
  return 2;
}

}  // namespace reliability
