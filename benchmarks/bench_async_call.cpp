// Calls with several in flight over tcp loopback with CURVE: a zguard::caller
// (a typed DEALER with a service<blob, blob> channel, its requests
// correlated by call id) keeping 1, 8 and 64 calls in flight to a typed
// ROUTER serving with serve(), next to raw cppzmq (a DEALER keeping as many
// requests in flight to a ROUTER that echoes them) in the same run; and the
// blocking call() of a typed REQ to the same typed ROUTER next to a raw
// REQ/ROUTER echo. The payload is a 64-byte encoded blob.
//
// usage: bench_async_call [calls=20000] [rounds=3] [--json]
// Each case runs raw and zguard alternately, `rounds` times; prints the
// median calls/s of each and the ratio zguard / raw.
#include <zguard/zguard.hpp>

#include "bench_support.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

namespace zg = zguard;
using bench = zg::domain<"bench">;
using L = zg::limits<zg::send_hwm<1000>, zg::recv_hwm<1000>, zg::block_when_full, zg::max_message_size<65536>,
                     zg::linger_ms<0>, zg::send_timeout_ms<5000>, zg::recv_timeout_ms<5000>,
                     zg::handshake_timeout_ms<5000>>;

namespace {

using bench_support::seconds_since;

struct blob {
  ZGUARD_SCHEMA("bench.blob", 1);
  BOOST_HANA_DEFINE_STRUCT(blob, (std::uint32_t, seq), (zg::bounded_bytes<1024>, data));
};
using echo_service = zg::service<blob, blob>;
using router_t = zg::socket<bench, zg::tcp, zg::router, zg::curve_server, L, echo_service>;
using dealer_t = zg::socket<bench, zg::tcp, zg::dealer, zg::curve_client, L, echo_service>;
using req_t = zg::socket<bench, zg::tcp, zg::req, zg::curve_client, L, echo_service>;
constexpr std::size_t payload_size = 64;

blob make_blob() {
  blob b{};
  b.data = std::vector<std::uint8_t>(payload_size - zg::encode(blob{}).size(), 0x5a);
  return b;
}

// Raw cppzmq: a ROUTER echoing every message whole; a DEALER (window > 0,
// requests after an empty delimiter) or a REQ (window 0) as the client.
double raw_calls(int n, int window, zg::keypair const& server, zg::keypair const& client) {
  zmq::context_t ctx;
  zmq::socket_t router(ctx, zmq::socket_type::router);
  zmq::socket_t caller(ctx, window ? zmq::socket_type::dealer : zmq::socket_type::req);
  for (auto* s : {&router, &caller}) s->set(zmq::sockopt::linger, 0);
  router.set(zmq::sockopt::curve_server, 1);
  router.set(zmq::sockopt::curve_secretkey, zmq::const_buffer(server.secret_part().data(), 32));
  router.bind("tcp://127.0.0.1:*");
  caller.set(zmq::sockopt::curve_serverkey, zmq::const_buffer(server.public_part().data(), 32));
  caller.set(zmq::sockopt::curve_publickey, zmq::const_buffer(client.public_part().data(), 32));
  caller.set(zmq::sockopt::curve_secretkey, zmq::const_buffer(client.secret_part().data(), 32));
  caller.connect(router.get(zmq::sockopt::last_endpoint));
  std::thread echo([&] {
    for (int i = 0; i < n + 1; ++i) {
      std::vector<zmq::message_t> frames;
      if (!zmq::recv_multipart(router, std::back_inserter(frames))) return;
      (void)zmq::send_multipart(router, frames);
    }
  });
  std::string const payload(payload_size, 'x');
  auto send = [&] {
    if (window) (void)caller.send(zmq::const_buffer(nullptr, 0), zmq::send_flags::sndmore);
    (void)caller.send(zmq::buffer(payload));
  };
  auto receive = [&] {
    std::vector<zmq::message_t> frames;
    (void)zmq::recv_multipart(caller, std::back_inserter(frames));
  };
  send();  // warm-up: handshake
  receive();
  auto t0 = std::chrono::steady_clock::now();
  int sent = 0;
  for (; sent < std::max(window, 1) && sent < n; ++sent) send();
  for (int done = 0; done < n; ++done) {
    receive();
    if (sent < n) send(), ++sent;
  }
  double s = seconds_since(t0);
  echo.join();
  return n / s;
}

// zguard: a caller keeping `window` calls in flight (0: a REQ's blocking call()).
double zguard_calls(int n, int window, zg::keypair const& server, zg::keypair const& client) {
  zg::context<bench> ctx([](zg::security_event const&) {});  // events would mix with the figures
  zg::authenticator<bench> auth(ctx);
  auth.allow(client.public_part());
  router_t router(ctx, auth, server);
  auto const ep = router.bind("tcp://127.0.0.1:*");
  std::stop_source stop;
  std::thread serving([&] {
    int served = 0;
    router.serve(
        [&](blob const& request, zg::peer_info const&) {
          if (++served == n + 1) stop.request_stop();
          return request;
        },
        stop.get_token());
  });
  auto request = make_blob();
  bool ok = true;
  double s = 0;
  if (window == 0) {
    req_t req(ctx, client, server.public_part());
    req.connect(ep);
    ok = bool(req.call(request, 1));  // warm-up: handshake and ZAP
    auto t0 = std::chrono::steady_clock::now();
    for (int i = 1; i <= n; ++i) {
      request.seq = std::uint32_t(i);
      auto reply = req.call(request, 1);
      ok = ok && reply && reply->seq == request.seq;
    }
    s = seconds_since(t0);
  } else {
    dealer_t dealer(ctx, client, server.public_part());
    dealer.connect(ep);
    zg::caller<dealer_t, zg::in_flight<64>> calls(dealer);
    auto warm = calls.call(request, std::chrono::seconds(5));
    calls.run_until_idle(std::chrono::seconds(10));
    ok = warm.get().ok();
    int sent = 0, done = 0;
    std::function<void()> next = [&] {
      request.seq = std::uint32_t(++sent);
      calls.call(request, std::chrono::seconds(30), [&, seq = request.seq](zg::call_result<blob> r) {
        ++done;
        ok = ok && r && r->seq == seq;
        if (sent < n) next();
      });
    };
    auto t0 = std::chrono::steady_clock::now();
    while (sent < std::min(window, n)) next();
    while (done < n && calls.in_flight() > 0) calls.poll_for(std::chrono::milliseconds(100));
    s = seconds_since(t0);
  }
  stop.request_stop();  // normally done by the handler; bounds the wait if a request was lost
  serving.join();
  if (!ok) std::fprintf(stderr, "bench_async_call: a call failed\n");
  return n / s;
}

}  // namespace

using bench_support::median;

int main(int argc, char** argv) {
  bool const json = bench_support::take_json_flag(argc, argv);
  int const n = argc > 1 ? std::atoi(argv[1]) : 20000;
  int const rounds = argc > 2 ? std::max(1, std::atoi(argv[2])) : 3;
  auto server = zg::keypair::generate();
  auto client = zg::keypair::generate();
  if (!json) {
    std::printf("Calls over tcp loopback with CURVE, %zu-byte payload, %d per run, median of %d runs\n",
                payload_size, n, rounds);
    std::printf("%-16s %14s %14s %8s\n", "case", "raw cppzmq/s", "zguard/s", "ratio");
  }
  for (int window : {0, 1, 8, 64}) {
    std::vector<double> raw, ours;
    for (int r = 0; r < rounds; ++r) {
      raw.push_back(raw_calls(n, window, server, client));
      ours.push_back(zguard_calls(n, window, server, client));
    }
    std::string const name = window ? "in_flight_" + std::to_string(window) : std::string("blocking_call");
    if (json)
      bench_support::json_row()
          .compare("async_call/" + name + "/" + std::to_string(payload_size), payload_size, median(raw), median(ours))
          .str("unit", "calls/s")
          .str("transport", "tcp+curve")
          .integer("in_flight", window ? window : 1)
          .integer("calls", n)
          .integer("runs", rounds)
          .print();
    else
      std::printf("%-16s %14.0f %14.0f %8.2f\n", name.c_str(), median(raw), median(ours), median(ours) / median(raw));
  }
}
