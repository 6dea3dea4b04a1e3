// curve_client: a CURVE REQ client with a reply timeout and recovery: a lost
// reply is retried (REQ_RELAXED + REQ_CORRELATE), never waited on forever.
// With --in-flight N, a DEALER and a zguard::caller keep N requests in
// flight at once, each with its deadline, retried with backoff.
#include <zguard/zguard.hpp>

#include <chrono>
#include <functional>
#include <iostream>

#include "cli.hpp"
#include "demo_sockets.hpp"

namespace zg = zguard;
using namespace example;

namespace {

// The exit status of a request's outcome (0 answered), after printing it.
int report(long i, zg::call_result<example::reply> const& reply) {
  switch (reply.status()) {
    case zg::call_status::replied:
      std::cout << "curve_client: reply " << reply->sequence << " (request " << reply->served
                << " served): " << reply->text.view() << std::endl;
      return 0;
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
}

// --in-flight N: `count` requests, N at a time, over one DEALER; the first
// failure's status is the exit status.
int call_in_flight(async_client_socket& dealer, example::cli const& cli, long count, int attempts, long window) {
  zg::caller<async_client_socket, zg::retry<3, 100, 1000>, zg::in_flight<64>> calls(dealer);
  long next = 1, done = 0;
  int status = 0;
  std::function<void()> send_next = [&] {
    long const i = next++;
    example::request req{std::uint32_t(i), cli.get("message") + " #" + std::to_string(i)};
    calls.call(req, std::chrono::seconds(attempts), [&, i](zg::call_result<example::reply> r) {
      ++done;
      if (int const s = report(i, r); s && !status) status = s;
      if (next <= count) send_next();
    });
  };
  while (next <= count && long(calls.in_flight()) < window) send_next();
  // Every call ends by its deadline, so this loop does too.
  while (done < count) calls.poll_for(std::chrono::milliseconds(100));
  std::cout << "curve_client: " << count << " requests, " << window << " in flight at a time, "
            << calls.refused_answers() << " answers refused" << std::endl;
  return status;
}

}  // namespace

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
                    {"in-flight", "requests in flight at once over one DEALER (1..64; 0: one REQ call at a time)",
                     "0", false},
                    example::log_sink_flag(), example::log_level_flag()});
  cli.parse(argc, argv);
  try {
    zg::context<service_domain> ctx;
    cli.configure_log(ctx.events());
    auto keys = zg::load_keypair_certificate(cli.get("cert"));
    auto server = zg::load_public_certificate(cli.get("server-cert")).key;
    long const count = cli.number("count", 0, 1'000'000);
    int const attempts = int(cli.number("attempts", 1, 100));
    if (long const window = cli.number("in-flight", 0, 64); window > 0) {
      async_client_socket dealer(ctx, keys, server);
      dealer.connect(cli.get("connect"));
      return call_in_flight(dealer, cli, count, attempts, window);
    }
    client_socket req_socket(ctx, keys, server);
    req_socket.connect(cli.get("connect"));
    for (long i = 1; i <= count; ++i) {
      example::request req{std::uint32_t(i), cli.get("message") + " #" + std::to_string(i)};
      if (int const status = report(i, req_socket.call(req, attempts))) return status;
    }
  } catch (std::exception const& e) {
    std::cerr << "curve_client: " << e.what() << "\n";
    return 1;
  }
}
