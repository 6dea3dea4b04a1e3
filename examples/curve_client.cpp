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
    long const count = cli.number("count");
    int const attempts = int(cli.number("attempts"));
    for (long i = 1; i <= count; ++i) {
      example::request req{std::uint32_t(i), cli.get("message") + " #" + std::to_string(i)};
      auto reply = req_socket.call(req, attempts);
      if (!reply) {
        std::cout << "curve_client: no reply to request " << i << " after " << attempts << " attempts" << std::endl;
        return 3;
      }
      if (!reply->ok()) {
        std::cout << "curve_client: request " << i << " refused: " << reply->error().message() << std::endl;
        return 4;
      }
      std::cout << "curve_client: reply " << reply->value().sequence << " (request " << reply->value().served
                << " served): " << reply->value().text.view() << std::endl;
    }
  } catch (std::exception const& e) {
    std::cerr << "curve_client: " << e.what() << "\n";
    return 1;
  }
}
