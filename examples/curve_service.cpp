// curve_service: a CURVE REP service. Only clients whose public certificate
// is in --allow-dir are served; everyone else is refused at the handshake and
// the refusal is written to stderr as a JSON security event.
#include <zguard/zguard.hpp>

#include <csignal>
#include <fstream>
#include <iostream>
#include <stop_token>

#include "cli.hpp"
#include "demo_sockets.hpp"

namespace zg = zguard;
using namespace example;

int main(int argc, char** argv) {
  example::cli cli("curve_service",
                   "CURVE REQ/REP service of example.request -> example.reply (schemas):\n"
                   "replies \"ok: <text>\" to allowlisted clients; malformed requests are refused.",
                   {{"bind", "endpoint to bind (tcp://host:port, port may be *)", "tcp://127.0.0.1:5555", false},
                    example::cert_flag("server"), example::allow_dir_flag("client"),
                    {"max-request", "longest request text served, bytes (<= 1024, the schema's bound)", "1024", false},
                    {"requests", "exit after serving this many requests (0: until SIGINT/SIGTERM)", "0", false},
                    example::endpoint_file_flag(),
                    example::log_sink_flag(), example::log_level_flag()});
  cli.parse(argc, argv);
  long const max_request = cli.number("max-request");
  if (max_request > 1024) cli.fail("--max-request exceeds the schema's bound of 1024");
  long const limit = cli.number("requests");
  example::stop_on_signals();
  try {
    zg::context<service_domain> ctx;
    cli.configure_log(ctx.events());
    zg::authenticator<service_domain> auth(ctx);
    auth.allow_directory(cli.get("allow-dir"));
    auto keys = zg::load_keypair_certificate(cli.get("cert"));
    service_socket rep(ctx, auth, keys);
    auto bound = rep.bind(cli.get("bind"));
    std::cout << "curve_service: listening on " << bound.address << "\n" << service_socket::profile() << std::endl;
    if (!cli.get("endpoint-file").empty()) {
      std::ofstream(cli.get("endpoint-file")) << bound.address << "\n";
    }
    std::uint64_t served = 0;
    rep.serve(
        [&](example::request const& req, zg::peer_info const& peer) -> example::reply {
          ++served;
          if (limit && served >= std::uint64_t(limit)) example::stopper().request_stop();
          if (long(req.text.size()) > max_request) {
            ctx.events().emit("request.too_large", zg::severity::warning,
                              {{"user_id", peer.user_id}, {"size", std::to_string(req.text.size())}});
            return {req.sequence, served, "error: request too large"};
          }
          std::cout << "curve_service: request " << req.sequence << " from " << peer.user_id << " ("
                    << peer.peer_address << "): " << req.text.view() << std::endl;
          return {req.sequence, served, "ok: " + req.text.str()};
        },
        example::stopper().get_token());
    std::cout << "curve_service: served " << served << " requests; refused handshakes: "
              << ctx.events().count("zap.deny") << "; refused messages: " << ctx.events().count("message.refused")
              << std::endl;
  } catch (std::exception const& e) {
    std::cerr << "curve_service: " << e.what() << "\n";
    return 1;
  }
}
