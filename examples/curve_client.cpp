// curve_client: a CURVE REQ client with a reply timeout and recovery: a lost
// reply is retried (REQ_RELAXED + REQ_CORRELATE), never waited on forever.
#include <zguard/zguard.hpp>

#include <iostream>

#include "cli.hpp"

namespace zg = zguard;
using service_domain = zg::domain<"example">;
using client_limits = zg::limits<zg::send_hwm<100>, zg::recv_hwm<100>, zg::block_when_full,
                                 zg::max_message_size<65536>, zg::linger_ms<0>, zg::send_timeout_ms<1000>,
                                 zg::recv_timeout_ms<1000>, zg::handshake_timeout_ms<5000>>;
using client_socket = zg::socket<service_domain, zg::tcp, zg::req, zg::curve_client, client_limits>;

int main(int argc, char** argv) {
  example::cli cli("curve_client",
                   "CURVE REQ client: sends --count requests and prints the replies.\n"
                   "Exit status 0 when every request was answered, 3 when one was not.",
                   {{"connect", "service endpoint", "tcp://127.0.0.1:5555", false},
                    {"cert", "client certificate (public file; NAME_secret is read too)", "", true},
                    {"server-cert", "the server's public certificate", "", true},
                    {"message", "request text", "hello", false},
                    {"count", "number of requests", "3", false},
                    {"attempts", "tries per request, each waiting 1 s for the reply", "3", false}});
  cli.parse(argc, argv);
  try {
    zg::context<service_domain> ctx;
    auto keys = zg::load_keypair_certificate(cli.get("cert"));
    auto server = zg::load_public_certificate(cli.get("server-cert")).key;
    client_socket req(ctx, keys, server);
    req.connect(cli.get("connect"));
    long const count = cli.number("count");
    int const attempts = int(cli.number("attempts"));
    for (long i = 1; i <= count; ++i) {
      auto reply = req.request(cli.get("message") + " #" + std::to_string(i), attempts);
      if (!reply) {
        std::cout << "curve_client: no reply to request " << i << " after " << attempts << " attempts" << std::endl;
        return 3;
      }
      std::cout << "curve_client: " << reply->to_string() << std::endl;
    }
  } catch (std::exception const& e) {
    std::cerr << "curve_client: " << e.what() << "\n";
    return 1;
  }
}
