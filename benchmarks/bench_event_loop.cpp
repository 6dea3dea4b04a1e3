// zguard::event_loop under a flood: one loop serves a REP and a PULL (both
// ipc, NULL, recv_timeout_ms 200); a client's request/reply latency through
// the REP, first with the PULL quiet, then while a local peer floods the
// PULL with junk frames that never decode (every one refused). Reports the
// median, 99th percentile and largest latency of each case.
//
// usage: bench_event_loop [calls=200] [--json]
#include <zguard/zguard.hpp>

#include "bench_support.hpp"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <stop_token>
#include <thread>
#include <vector>

namespace zg = zguard;
using namespace std::chrono_literals;

namespace {

using bench_domain = zg::domain<"bench">;
struct ping {
  ZGUARD_SCHEMA("bench.ping", 1);
  BOOST_HANA_DEFINE_STRUCT(ping, (std::uint32_t, n));
};
struct pong {
  ZGUARD_SCHEMA("bench.pong", 1);
  BOOST_HANA_DEFINE_STRUCT(pong, (std::uint32_t, n));
};

using loop_limits = zg::limits<zg::send_hwm<1000>, zg::recv_hwm<1000>, zg::block_when_full, zg::max_message_size<4096>,
                               zg::linger_ms<0>, zg::send_timeout_ms<1000>, zg::recv_timeout_ms<200>,
                               zg::handshake_timeout_ms<2000>>;
// The client waits long enough to see the whole stall, in one attempt.
using client_limits = zg::limits<zg::send_hwm<1000>, zg::recv_hwm<1000>, zg::block_when_full,
                                 zg::max_message_size<4096>, zg::linger_ms<0>, zg::send_timeout_ms<1000>,
                                 zg::recv_timeout_ms<30000>, zg::handshake_timeout_ms<2000>>;
using service = zg::service<ping, pong>;
using rep_t = zg::socket<bench_domain, zg::ipc, zg::rep, zg::null_mechanism, loop_limits, service>;
using req_t = zg::socket<bench_domain, zg::ipc, zg::req, zg::null_mechanism, client_limits, service>;
using pull_t = zg::socket<bench_domain, zg::ipc, zg::pull, zg::null_mechanism, loop_limits, zg::stream<ping>>;

struct figures {
  double median_ms, p99_ms, max_ms;
  std::size_t answered;
};

figures run_case(int calls, bool flood) {
  zg::context<bench_domain> ctx([](zg::security_event const&) {});  // the refusals are expected: not printed
  rep_t rep(ctx);
  pull_t pull(ctx);
  auto const rep_ep = rep.bind(bench_support::fresh_ipc("rep"));
  auto const junk_ep = pull.bind(bench_support::fresh_ipc("junk"));

  std::atomic<bool> done = false;
  std::jthread flooder([&] {
    if (!flood) return;
    zmq::context_t raw;
    zmq::socket_t junk(raw, zmq::socket_type::push);
    junk.set(zmq::sockopt::linger, 0);
    junk.connect(junk_ep.address);
    for (long i = 0; i < 10'000'000 && !done; ++i) {
      (void)junk.send(zmq::str_buffer("not a ping"), zmq::send_flags::dontwait);
      if (i % 16 == 0) std::this_thread::sleep_for(100us);
    }
  });
  std::vector<double> latencies;
  std::stop_source stop;
  std::jthread client([&] {
    req_t req(ctx);
    req.connect(rep_ep);
    if (flood) std::this_thread::sleep_for(200ms);  // the flood under way
    for (int i = 0; i < calls; ++i) {
      auto const t0 = bench_support::steady::now();
      auto r = req.call(ping{std::uint32_t(i)}, 1);
      if (!r.ok()) break;
      latencies.push_back(bench_support::seconds_since(t0) * 1000);
    }
    done = true;
    stop.request_stop();
  });
  zg::event_loop loop(20ms);
  loop.on(pull, [](pull_t& s) { (void)s.receive(); });
  loop.on(rep, [](rep_t& s) {
    if (auto r = s.receive()) (void)s.send(pong{r->value.n});
  });
  loop.after(600s, [&] { stop.request_stop(); });
  loop.run(stop.get_token());
  client.join();
  done = true;
  flooder.join();
  if (latencies.empty()) return {0, 0, 0, 0};
  std::sort(latencies.begin(), latencies.end());
  return {latencies[latencies.size() / 2], latencies[latencies.size() * 99 / 100], latencies.back(),
          latencies.size()};
}

}  // namespace

int main(int argc, char** argv) {
  bool const json = bench_support::take_json_flag(argc, argv);
  int const calls = argc > 1 ? std::atoi(argv[1]) : 200;
  if (calls < 1 || calls > 1'000'000) {
    std::fprintf(stderr, "usage: bench_event_loop [calls=200 (1..1000000)] [--json]\n");
    return 2;
  }
  if (!json) std::printf("| case | calls answered | median ms | p99 ms | max ms |\n|---|---|---|---|---|\n");
  for (bool const flood : {false, true}) {
    auto const f = run_case(calls, flood);
    char const* name = flood ? "event_loop/flooded" : "event_loop/quiet";
    if (json)
      bench_support::json_row()
          .str("name", name)
          .str("unit", "ms")
          .num("median", f.median_ms)
          .num("p99", f.p99_ms)
          .num("max", f.max_ms)
          .integer("calls", calls)
          .integer("answered", static_cast<long long>(f.answered))
          .print();
    else
      std::printf("| %s | %zu of %d | %.2f | %.2f | %.2f |\n", flood ? "flooded" : "quiet", f.answered, calls,
                  f.median_ms, f.p99_ms, f.max_ms);
  }
  return 0;
}
