// Proxies: zguard::proxy next to zmq_proxy, both between raw cppzmq end
// points over ipc, in the same run.
//
// usage: bench_proxy [messages=200000] [round_trips=20000] [rounds=5] [--json]
//   forwarder: PUB -> XSUB|proxy|XPUB -> SUB, 64 B messages, msgs/s
//   queue:     REQ -> ROUTER|proxy|DEALER -> REP (echo), round trips/s
// Alternating runs, medians, ratio zguard / zmq_proxy (1.00 = same speed).
#include <zguard/zguard.hpp>

#include "bench_support.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

namespace zg = zguard;
using bench_support::median;
constexpr auto ipc = bench_support::fresh_ipc;

namespace {

using bench = zg::domain<"bench">;
using DL = zg::limits<zg::send_hwm<500000>, zg::recv_hwm<500000>, zg::drop_when_full, zg::max_message_size<4096>,
                      zg::linger_ms<0>, zg::send_timeout_ms<1000>, zg::recv_timeout_ms<1000>,
                      zg::handshake_timeout_ms<5000>>;
using BL = zg::limits<zg::send_hwm<1000>, zg::recv_hwm<1000>, zg::block_when_full, zg::max_message_size<4096>,
                      zg::linger_ms<0>, zg::send_timeout_ms<1000>, zg::recv_timeout_ms<1000>,
                      zg::handshake_timeout_ms<5000>>;
using bench_support::steady;

void raw_options(zmq::socket_t& s) {
  s.set(zmq::sockopt::linger, 0);
  s.set(zmq::sockopt::sndhwm, 500000);
  s.set(zmq::sockopt::rcvhwm, 500000);
  s.set(zmq::sockopt::rcvtimeo, 1000);
}

// PUB -> [in | proxy | out] -> SUB; `start` runs the proxy between in and out
// (already bound), returns a function that stops it.
template <class Start>
double forwarder_rate(int n, Start&& start) {
  zmq::context_t ctx;
  auto const in = ipc("in"), out = ipc("out");
  auto stop = start(in, out);
  zmq::socket_t pub(ctx, zmq::socket_type::pub), sub(ctx, zmq::socket_type::sub);
  for (auto* s : {&pub, &sub}) raw_options(*s);
  sub.set(zmq::sockopt::subscribe, "");
  pub.connect(in);
  sub.connect(out);
  std::string payload(64, 'x');
  zmq::message_t m;
  do (void)pub.send(zmq::str_buffer("warm"));
  while (!sub.recv(m));
  while (sub.recv(m, zmq::recv_flags::dontwait)) {}
  int got = 0;
  steady::time_point last;
  std::thread receiver([&] {
    while (got < n && sub.recv(m)) ++got, last = steady::now();
  });
  auto const t0 = steady::now();
  for (int i = 0; i < n; ++i) (void)pub.send(zmq::buffer(payload));
  receiver.join();
  stop();
  return got / std::chrono::duration<double>(last - t0).count();
}

template <class Start>
double queue_rate(int n, Start&& start) {
  zmq::context_t ctx;
  auto const front = ipc("front"), back = ipc("back");
  auto stop = start(front, back);
  zmq::socket_t req(ctx, zmq::socket_type::req), rep(ctx, zmq::socket_type::rep);
  for (auto* s : {&req, &rep}) raw_options(*s);
  rep.connect(back);
  req.connect(front);
  std::thread echo([&] {
    zmq::message_t m;
    for (int i = 0; i < n + 1 && rep.recv(m); ++i) (void)rep.send(m, zmq::send_flags::none);
  });
  std::string payload(64, 'x');
  zmq::message_t reply;
  (void)req.send(zmq::buffer(payload));
  (void)req.recv(reply);
  auto const t0 = steady::now();
  for (int i = 0; i < n; ++i) {
    (void)req.send(zmq::buffer(payload));
    if (!req.recv(reply)) break;
  }
  double const s = std::chrono::duration<double>(steady::now() - t0).count();
  echo.join();
  stop();
  return n / s;
}

// zmq_proxy_steerable on raw sockets, in a thread; stopped with TERMINATE.
struct raw_proxy {
  zmq::context_t ctx;
  zmq::socket_t a, b, control;
  std::thread thread;
  raw_proxy(zmq::socket_type ta, zmq::socket_type tb, std::string const& ea, std::string const& eb)
      : a(ctx, ta), b(ctx, tb), control(ctx, zmq::socket_type::pair) {
    raw_options(a);
    raw_options(b);
    a.bind(ea);
    b.bind(eb);
    control.bind("inproc://control");
    thread = std::thread([this] {
      zmq::socket_t steer(ctx, zmq::socket_type::pair);
      steer.connect("inproc://control");
      zmq_proxy_steerable(a.handle(), b.handle(), nullptr, steer.handle());
    });
  }
  ~raw_proxy() {
    (void)control.send(zmq::str_buffer("TERMINATE"));
    thread.join();
  }
};

template <class Front, class Back>
struct zguard_proxy {
  zg::context<bench> ctx{[](zg::security_event const&) {}};
  Front front{ctx};
  Back back{ctx};
  std::unique_ptr<zg::proxy<Front, Back>> proxy;
  zguard_proxy(std::string const& ea, std::string const& eb) {
    front.bind(ea);
    back.bind(eb);
    proxy = std::make_unique<zg::proxy<Front, Back>>(ctx, front, back);
  }
};

}  // namespace

int main(int argc, char** argv) {
  bool const json = bench_support::take_json_flag(argc, argv);
  int const n = argc > 1 ? std::atoi(argv[1]) : 200000;
  int const trips = argc > 2 ? std::atoi(argv[2]) : 20000;
  int const rounds = argc > 3 ? std::max(1, std::atoi(argv[3])) : 5;
  using xsub_t = zg::socket<bench, zg::ipc, zg::xsub, zg::null_mechanism, DL>;
  using xpub_t = zg::socket<bench, zg::ipc, zg::xpub, zg::null_mechanism, DL>;
  using router_t = zg::socket<bench, zg::ipc, zg::router, zg::null_mechanism, BL>;
  using dealer_t = zg::socket<bench, zg::ipc, zg::dealer, zg::null_mechanism, BL>;
  std::vector<double> raw_fwd, ours_fwd, raw_q, ours_q;
  for (int r = 0; r < rounds; ++r) {
    raw_fwd.push_back(forwarder_rate(n, [](auto const& in, auto const& out) {
      auto p = std::make_shared<raw_proxy>(zmq::socket_type::xsub, zmq::socket_type::xpub, in, out);
      return [p]() mutable { p.reset(); };
    }));
    ours_fwd.push_back(forwarder_rate(n, [](auto const& in, auto const& out) {
      auto p = std::make_shared<zguard_proxy<xsub_t, xpub_t>>(in, out);
      return [p]() mutable { p.reset(); };
    }));
    raw_q.push_back(queue_rate(trips, [](auto const& f, auto const& b) {
      auto p = std::make_shared<raw_proxy>(zmq::socket_type::router, zmq::socket_type::dealer, f, b);
      return [p]() mutable { p.reset(); };
    }));
    ours_q.push_back(queue_rate(trips, [](auto const& f, auto const& b) {
      auto p = std::make_shared<zguard_proxy<router_t, dealer_t>>(f, b);
      return [p]() mutable { p.reset(); };
    }));
  }
  if (json) {
    bench_support::json_row()
        .compare("proxy/forwarder/64", 64, median(raw_fwd), median(ours_fwd))
        .str("unit", "msgs/s")
        .str("transport", "ipc")
        .integer("messages", n)
        .integer("runs", rounds)
        .print();
    bench_support::json_row()
        .compare("proxy/queue/64", 64, median(raw_q), median(ours_q))
        .str("unit", "round trips/s")
        .str("transport", "ipc")
        .integer("round_trips", trips)
        .integer("runs", rounds)
        .print();
    return 0;
  }
  std::printf("proxies over ipc, median of %d runs\n", rounds);
  std::printf("%-28s %14s %14s %8s\n", "case", "zmq_proxy", "zguard", "ratio");
  std::printf("%-28s %14.0f %14.0f %8.2f\n", "forwarder 64 B (msgs/s)", median(raw_fwd), median(ours_fwd),
              median(ours_fwd) / median(raw_fwd));
  std::printf("%-28s %14.0f %14.0f %8.2f\n", "queue 64 B (round trips/s)", median(raw_q), median(ours_q),
              median(ours_q) / median(raw_q));
}
