// curve_client: a CURVE REQ client with a reply timeout and recovery: a lost
// reply is retried (REQ_RELAXED + REQ_CORRELATE), never waited on forever.
#include <zguard/zguard.hpp>

#include <iostream>

#include "cli.hpp"
#include "demo_sockets.hpp"

namespace zg = zguard;
using namespace example;

int main(int argc, char** argv) {
  example::cli cli("curve_client",
                   "CURVE REQ client of example.request -> example.reply: sends --count\n"
                   "requests and prints the replies. Exit status 0 when every request was\n"
                   "answered, 3 when one was not, 4 when the service refused one.",
                   {{"connect", "service endpoint", "tcp://127.0.0.1:5555", false},
                    {"cert", "client certificate (public file; NAME_secret is read too)", "", true},
                    {"server-cert", "the server's public certificate", "", true},
                    {"message", "request text (at most 1024 bytes)", "hello", false},
                    {"count", "number of requests", "3", false},
                    {"attempts", "tries per request, each waiting 1 s for the reply", "3", false},
                    example::log_sink_flag(), example::log_level_flag()});
  cli.parse(argc, argv);
  try {
    zg::context<service_domain> ctx;
    cli.configure_log(ctx.events());
    auto keys = zg::load_keypair_certificate(cli.get("cert"));
    auto server = zg::load_public_certificate(cli.get("server-cert")).key;
    client_socket req_socket(ctx, keys, server);
    req_socket.connect(cli.get("connect"));
    long const count = cli.number("count", 0, 1'000'000);
    int const attempts = int(cli.number("attempts", 1, 100));
    for (long i = 1; i <= count; ++i) {
      example::request req{std::uint32_t(i), cli.get("message") + " #" + std::to_string(i)};
      auto reply = req_socket.call(req, attempts);
      switch (reply.status()) {
        case zg::call_status::replied: break;
        case zg::call_status::timed_out:
          std::cout << "curve_client: no reply to request " << i << " after " << reply.attempts() << " attempts"
                    << std::endl;
          return 3;
        case zg::call_status::refused_at_handshake:
          std::cout << "curve_client: refused at the handshake (" << reply.reason()
                    << "): the service does not accept this client's key" << std::endl;
          return 5;
        default:
          std::cout << "curve_client: request " << i << " " << zg::to_string(reply.status()) << ": " << reply.reason()
                    << std::endl;
          return 4;
      }
      std::cout << "curve_client: reply " << reply->sequence << " (request " << reply->served
                << " served): " << reply->text.view() << std::endl;
    }
  } catch (std::exception const& e) {
    std::cerr << "curve_client: " << e.what() << "\n";
    return 1;
  }
}
