// curve_service: a CURVE REP service. Only clients whose public certificate
// is in --allow-dir are served; everyone else is refused at the handshake and
// the refusal is written to stderr as a JSON security event.
//
// --config FILE reads the same settings from a TOML file instead
// (examples/config/curve_service.toml; docs/configuration.md), and with them
// the socket's HWMs, linger and timeouts, within the ranges its type declares.
#include <zguard/config.hpp>
#include <zguard/zguard.hpp>

#include <csignal>
#include <fstream>
#include <iostream>
#include <stop_token>

#include "cli.hpp"
#include "demo_sockets.hpp"

namespace zg = zguard;
using namespace example;

namespace {

// The service socket of --config: service_socket's policies, with HWMs,
// linger and timeouts chosen by the file within these ranges.
using configured_limits =
    zg::limits<zg::send_hwm_in<10, 10000>, zg::recv_hwm_in<10, 10000>, zg::block_when_full, zg::max_message_size<2048>,
               zg::linger_ms_in<0, 1000>, zg::send_timeout_ms_in<100, 5000>, zg::recv_timeout_ms_in<50, 1000>,
               zg::handshake_timeout_ms<5000>>;
using configured_service_socket =
    zg::socket<service_domain, zg::tcp, zg::rep, zg::curve_server, configured_limits, example::service_channel>;

struct settings {
  std::string bind, cert, allow_dir, endpoint_file;
  long max_request = 1024, requests = 0;
};

template <class Socket>
void serve(Socket& rep, zg::context<service_domain>& ctx, settings const& s) {
  auto bound = rep.bind(s.bind);
  std::cout << "curve_service: listening on " << bound.address << "\n" << Socket::profile() << std::endl;
  if (!s.endpoint_file.empty()) std::ofstream(s.endpoint_file) << bound.address << "\n";
  std::uint64_t served = 0;
  rep.serve(
      [&](example::request const& req, zg::peer_info const& peer) -> example::reply {
        ++served;
        if (s.requests && served >= std::uint64_t(s.requests)) example::stopper().request_stop();
        if (long(req.text.size()) > s.max_request) {
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
}

}  // namespace

int main(int argc, char** argv) {
  auto cert = example::cert_flag("server");
  auto allow_dir = example::allow_dir_flag("client");
  cert.required = allow_dir.required = false;  // required unless --config gives them
  cert.help += " (required without --config)";
  allow_dir.help += " (required without --config)";
  example::cli cli("curve_service",
                   "CURVE REQ/REP service of example.request -> example.reply (schemas):\n"
                   "replies \"ok: <text>\" to allowlisted clients; malformed requests are refused.",
                   {{"bind", "endpoint to bind (tcp://host:port, port may be *)", "tcp://127.0.0.1:5555", false},
                    cert, allow_dir,
                    {"max-request", "longest request text served, bytes (<= 1024, the schema's bound)", "1024", false},
                    {"requests", "exit after serving this many requests (0: until SIGINT/SIGTERM)", "0", false},
                    example::endpoint_file_flag(),
                    {"config", "read bind, cert, allow_dir, max_request, requests, endpoint_file and the socket's "
                               "limits from this TOML file instead of the flags (docs/configuration.md)", "", false},
                    example::log_sink_flag(), example::log_level_flag()});
  cli.parse(argc, argv);
  bool const from_file = !cli.get("config").empty();
  settings s;
  if (!from_file) {
    if (cli.get("cert").empty()) cli.fail("missing --cert (or --config)");
    if (cli.get("allow-dir").empty()) cli.fail("missing --allow-dir (or --config)");
    s = {cli.get("bind"), cli.get("cert"), cli.get("allow-dir"), cli.get("endpoint-file"), cli.number("max-request", 0, 1024),
         cli.number("requests", 0, 1'000'000'000)};  // max-request: the schema's bound; requests: as --config
  } else if (!cli.get("cert").empty() || !cli.get("allow-dir").empty() || !cli.get("endpoint-file").empty()) {
    cli.fail("--config replaces --cert, --allow-dir and --endpoint-file: give one or the other");
  }
  example::stop_on_signals();
  try {
    zg::context<service_domain> ctx;
    cli.configure_log(ctx.events());
    zg::authenticator<service_domain> auth(ctx);
    if (from_file) {
      auto const cfg = zg::config::load(cli.get("config"));
      cfg.expect_only("", {"service"});
      cfg.expect_only("service", {"bind", "cert", "allow_dir", "max_request", "requests", "endpoint_file", "socket"});
      s.bind = cfg.endpoint<zg::tcp>("service.bind").str();
      s.cert = cfg.path("service.cert").string();
      s.allow_dir = cfg.path("service.allow_dir").string();
      if (cfg.contains("service.endpoint_file")) s.endpoint_file = cfg.path("service.endpoint_file").string();
      s.max_request = long(cfg.number("service.max_request", 0, 1024, 1024));
      s.requests = long(cfg.number("service.requests", 0, 1'000'000'000, 0));
      auto const limits = cfg.limits_for<configured_service_socket>("service.socket");
      auth.allow_directory(s.allow_dir);
      configured_service_socket rep(ctx, auth, zg::load_keypair_certificate(s.cert), limits);
      std::cout << "curve_service: " << cfg.name() << ": " << rep.applied_limits() << std::endl;
      serve(rep, ctx, s);
    } else {
      auth.allow_directory(s.allow_dir);
      service_socket rep(ctx, auth, zg::load_keypair_certificate(s.cert));
      serve(rep, ctx, s);
    }
  } catch (std::exception const& e) {
    std::cerr << "curve_service: " << e.what() << "\n";
    return 1;
  }
}
