// curve_service: a CURVE REP service. Only clients whose public certificate
// is in --allow-dir are served; everyone else is refused at the handshake and
// the refusal is written to stderr as a JSON security event.
#include <zguard/zguard.hpp>

#include <csignal>
#include <fstream>
#include <iostream>
#include <stop_token>

#include "cli.hpp"

namespace zg = zguard;
using service_domain = zg::domain<"example">;
// Compile-time limits: the type refuses to build without them.
using service_limits = zg::limits<zg::send_hwm<1000>, zg::recv_hwm<1000>, zg::block_when_full,
                                  zg::max_message_size<65536>, zg::linger_ms<0>, zg::send_timeout_ms<1000>,
                                  zg::recv_timeout_ms<200>, zg::handshake_timeout_ms<5000>>;
using service_socket = zg::socket<service_domain, zg::tcp, zg::rep, zg::curve_server, service_limits>;

namespace {
std::stop_source stopper;
extern "C" void on_signal(int) { stopper.request_stop(); }
}  // namespace

int main(int argc, char** argv) {
  example::cli cli("curve_service",
                   "CURVE REQ/REP service: replies \"ok <n>: <request>\" to allowlisted clients.",
                   {{"bind", "endpoint to bind (tcp://host:port, port may be *)", "tcp://127.0.0.1:5555", false},
                    {"cert", "server certificate (public file; NAME_secret is read too)", "", true},
                    {"allow-dir", "directory of allowed client public certificates", "", true},
                    {"max-request", "largest request accepted, bytes (<= 65536, the compiled bound)", "65536", false},
                    {"requests", "exit after serving this many requests (0: until SIGINT/SIGTERM)", "0", false},
                    {"endpoint-file", "write the bound endpoint here once listening", "", false}});
  cli.parse(argc, argv);
  long const max_request = cli.number("max-request");
  if (max_request > service_limits::max_message_size) cli.fail("--max-request exceeds the compiled max_message_size");
  long const limit = cli.number("requests");
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  try {
    zg::context<service_domain> ctx;
    zg::authenticator<service_domain> auth(ctx);
    auth.allow_directory(cli.get("allow-dir"));
    auto keys = zg::load_keypair_certificate(cli.get("cert"));
    service_socket rep(ctx, auth, keys);
    auto bound = rep.bind(cli.get("bind"));
    std::cout << "curve_service: listening on " << bound.address << "\n" << service_socket::profile() << std::endl;
    if (!cli.get("endpoint-file").empty()) {
      std::ofstream(cli.get("endpoint-file")) << bound.address << "\n";
    }
    long served = 0;
    rep.serve(
        [&](zmq::message_t const& request, zg::peer_info const& peer) -> std::string {
          ++served;
          if (limit && served >= limit) stopper.request_stop();
          if (long(request.size()) > max_request) {
            ctx.events().emit("request.too_large", zg::severity::warning,
                              {{"user_id", peer.user_id}, {"size", std::to_string(request.size())}});
            return "error: request too large";
          }
          std::cout << "curve_service: request " << served << " from " << peer.user_id << " (" << peer.peer_address
                    << "): " << request.to_string() << std::endl;
          return "ok " + std::to_string(served) + ": " + request.to_string();
        },
        stopper.get_token());
    std::cout << "curve_service: served " << served << " requests; refused handshakes: "
              << ctx.events().count("zap.deny") << std::endl;
  } catch (std::exception const& e) {
    std::cerr << "curve_service: " << e.what() << "\n";
    return 1;
  }
}
