// Sealed payloads: typed call() round trips of a service<blob, blob>
// channel unsealed and sealed<> (sealed.hpp), in the same run. Two paths:
//   queue:  a REQ client (CURVE over tcp loopback) -> zguard::proxy (CURVE
//           ROUTER front, inproc DEALER back) -> one REP worker on inproc,
//           which serve()s the request back as its reply;
//   direct: the same REQ client -> a CURVE REP over tcp loopback, no broker.
//   crypto: the sealing alone, no sockets: a request sealed and opened and
//           its answer sealed and opened (detail/seal_box.hpp, as the
//           sockets call it), in one thread: CPU time per round trip.
// 64 B and 1 KiB are the encoded (plaintext) sizes of the request; sealed,
// a request is 146 bytes longer on the wire and an answer 74 bytes.
//
// usage: bench_sealed [round_trips=5000] [rounds=5] [filter] [--json]
//   filter: only cases whose name contains it: sealed/queue/64,
//   sealed/direct/1024, sealed/crypto/64 (e.g. queue, direct/1024), or one
//   side of a case, queue/64/unsealed or queue/64/sealed (then no ratio)
//   The crypto case runs round_trips / 5 times per run.
// Unsealed and sealed runs alternate (which goes first alternates too),
// `rounds` times each; prints per case the median rate, the medians of each
// run's p50 and p99 call latency and of its CPU time per round trip (the
// whole process: client, service, proxy and libzmq threads), and the ratio
// sealed / unsealed of the rates (1.00 = sealing costs nothing).
#include <zguard/zguard.hpp>

#include "bench_support.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <memory>
#include <stop_token>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include <time.h>

namespace zg = zguard;

namespace {

using bench = zg::domain<"bench">;
using bench_support::median;
using bench_support::steady;

using TL = zg::limits<zg::send_hwm<1000>, zg::recv_hwm<1000>, zg::block_when_full, zg::max_message_size<65536>,
                      zg::linger_ms<0>, zg::send_timeout_ms<5000>, zg::recv_timeout_ms<5000>,
                      zg::handshake_timeout_ms<5000>>;
// inproc: no message size (nothing outside the process).
using IL = zg::limits<zg::send_hwm<1000>, zg::recv_hwm<1000>, zg::block_when_full, zg::linger_ms<0>,
                      zg::send_timeout_ms<5000>, zg::recv_timeout_ms<5000>>;

struct blob {
  ZGUARD_SCHEMA("bench.blob", 1);
  BOOST_HANA_DEFINE_STRUCT(blob, (std::uint32_t, seq), (zg::bounded_bytes<1024>, data));
};
using echo_service = zg::service<blob, blob>;

// A blob whose encoding is `size` bytes.
blob make_blob(std::uint32_t seq, std::size_t size) {
  blob b{};
  b.seq = seq;
  b.data = std::vector<std::uint8_t>(size - zg::encode(blob{}).size(), 0x5a);
  return b;
}

template <bool Sealed>
struct kinds;
template <>
struct kinds<false> {
  using client = zg::socket<bench, zg::tcp, zg::req, zg::curve_client, TL, echo_service>;
  using worker = zg::socket<bench, zg::inproc, zg::rep, zg::null_mechanism, IL, echo_service>;
  using direct = zg::socket<bench, zg::tcp, zg::rep, zg::curve_server, TL, echo_service>;
};
template <>
struct kinds<true> {
  using client = zg::socket<bench, zg::tcp, zg::req, zg::curve_client, TL, echo_service, zg::sealed<>>;
  using worker = zg::socket<bench, zg::inproc, zg::rep, zg::null_mechanism, IL, echo_service, zg::sealed<>>;
  using direct = zg::socket<bench, zg::tcp, zg::rep, zg::curve_server, TL, echo_service, zg::sealed<>>;
};
using front_t = zg::socket<bench, zg::tcp, zg::router, zg::curve_server, TL>;
using back_t = zg::socket<bench, zg::inproc, zg::dealer, zg::null_mechanism, IL>;

struct keys {
  zg::keypair server = zg::keypair::generate();
  zg::keypair client = zg::keypair::generate();
  zg::sealing_key sealing = zg::sealing_key::generate();
};

// One run's figures.
struct run {
  double rate = 0;  // round trips/s
  double p50_us = 0, p99_us = 0;
  double cpu_us = 0;  // the process's CPU time per round trip, every thread (client, service, proxy, libzmq)
  bool ok = true;
};

double cpu_us(clockid_t clock) {
  timespec t{};
  ::clock_gettime(clock, &t);
  return double(t.tv_sec) * 1e6 + double(t.tv_nsec) / 1e3;
}
double process_cpu_us() { return cpu_us(CLOCK_PROCESS_CPUTIME_ID); }

// A service socket: its arguments, then its sealing key when sealed.
template <bool Sealed, class Socket, class... Args>
Socket make_service(zg::context<bench>& ctx, keys const& k, Args&... args) {
  if constexpr (Sealed) return Socket(ctx, args..., k.sealing);
  else return Socket(ctx, args...);
}

// `n` timed calls of `size`-byte requests, each timed; `rep` serves them
// on a thread of its own (the caller has connected `req` to it).
template <class Req, class Rep>
run time_calls(int n, std::size_t size, Req& req, Rep& rep) {
  std::stop_source stop;
  std::atomic<int> served{0};
  std::thread serving([&] {
    rep.serve(
        [&](blob const& request, zg::peer_info const&) {
          if (served.fetch_add(1, std::memory_order_relaxed) + 1 == n + 1) stop.request_stop();
          return request;
        },
        stop.get_token());
  });
  auto request = make_blob(0, size);
  run r;
  r.ok = bool(req.call(request, 1));  // warm-up: handshake and ZAP
  std::vector<double> latency(static_cast<std::size_t>(n));
  double const cpu0 = process_cpu_us();
  auto const t0 = steady::now();
  for (int i = 1; i <= n; ++i) {
    request.seq = std::uint32_t(i);
    auto const c0 = steady::now();
    auto reply = req.call(request, 1);
    latency[std::size_t(i - 1)] = std::chrono::duration<double, std::micro>(steady::now() - c0).count();
    r.ok = r.ok && reply && reply->seq == request.seq && reply->data.size() == request.data.size();
  }
  r.rate = n / bench_support::seconds_since(t0);
  r.cpu_us = (process_cpu_us() - cpu0) / n;
  stop.request_stop();  // normally done by the handler; bounds the wait if a request was lost
  serving.join();
  std::sort(latency.begin(), latency.end());
  r.p50_us = latency[latency.size() / 2];
  r.p99_us = latency[std::min(latency.size() - 1, latency.size() * 99 / 100)];
  return r;
}

// REQ (CURVE, tcp) -> CURVE ROUTER | zguard::proxy | inproc DEALER -> REP (inproc).
template <bool Sealed>
run queue_run(int n, std::size_t size, keys const& k) {
  using K = kinds<Sealed>;
  zg::context<bench> ctx([](zg::security_event const&) {});  // events would mix with the figures
  zg::authenticator<bench> auth(ctx);
  auth.allow(k.client.public_part());
  front_t front(ctx, auth, k.server);
  back_t back(ctx);
  static int tag = 0;
  auto const front_ep = front.bind("tcp://127.0.0.1:*");
  auto const back_ep = back.bind(zg::endpoint<zg::inproc, bench>("inproc://bench-sealed-back-" + std::to_string(++tag)));
  zg::proxy<front_t, back_t> queue(ctx, front, back);
  auto worker = make_service<Sealed, typename K::worker>(ctx, k);
  worker.connect(back_ep);
  auto client = [&] {
    if constexpr (Sealed) return typename K::client(ctx, k.client, k.server.public_part(), k.sealing.public_part());
    else return typename K::client(ctx, k.client, k.server.public_part());
  }();
  client.connect(front_ep);
  auto r = time_calls(n, size, client, worker);
  queue.terminate();
  return r;
}

// REQ (CURVE, tcp) -> REP (CURVE, tcp): no broker.
template <bool Sealed>
run direct_run(int n, std::size_t size, keys const& k) {
  using K = kinds<Sealed>;
  zg::context<bench> ctx([](zg::security_event const&) {});
  zg::authenticator<bench> auth(ctx);
  auth.allow(k.client.public_part());
  auto rep = make_service<Sealed, typename K::direct>(ctx, k, auth, k.server);
  auto const ep = rep.bind("tcp://127.0.0.1:*");
  auto client = [&] {
    if constexpr (Sealed) return typename K::client(ctx, k.client, k.server.public_part(), k.sealing.public_part());
    else return typename K::client(ctx, k.client, k.server.public_part());
  }();
  client.connect(ep);
  return time_calls(n, size, client, rep);
}

// What sealing costs a round trip in CPU, with no socket: the client seals
// the request (two X25519: its ephemeral public key and the shared secret,
// derived when it seals, or before when prepared),
// the service opens it (one X25519) and seals the answer, the client opens
// the answer; CPU microseconds per round trip (this thread's CPU time, so
// that other work on the machine does not count).
double crypto_run(int n, std::size_t size, keys const& k) {
  using policy = zg::sealed<>;
  zg::detail::request_sealer sealer(k.sealing.public_part());
  zg::detail::request_opener<policy::freshness, policy::window> opener(k.sealing);
  auto const plain = zg::encode(make_blob(0, size));
  std::vector<std::uint8_t> request(zg::detail::request_sealer::size(plain.size()));
  std::vector<std::uint8_t> answer(zg::detail::sealed_answer_overhead + plain.size()), reply(plain.size());
  zmq::message_t opened;
  bool ok = true;
  double const cpu0 = cpu_us(CLOCK_THREAD_CPUTIME_ID);
  for (int i = 0; i < n; ++i) {
    zg::detail::answer_key client_key, service_key;
    sealer.seal(request.data(), plain.size(), [&](std::uint8_t* at) { std::copy(plain.begin(), plain.end(), at); },
                client_key);
    ok = ok && !opener.open(request, service_key, opened);
    // The opened frame holds the run's secret (wiped), then the payload.
    auto const* payload = static_cast<std::uint8_t const*>(opened.data()) + zg::detail::seal_run_secret_size;
    std::copy(payload, payload + (opened.size() - zg::detail::seal_run_secret_size),
              answer.begin() + zg::detail::sealed_answer_header);
    std::array<std::uint8_t, zg::detail::seal_nonce_size> nonce{};
    randombytes_buf(nonce.data(), nonce.size());
    zg::detail::seal_answer_with(answer.data(), plain.size(), service_key, nonce.data());
    ok = ok && !zg::detail::open_answer(answer, client_key, reply.data()) && reply == plain;
  }
  double const us = (cpu_us(CLOCK_THREAD_CPUTIME_ID) - cpu0) / n;
  if (!ok) std::fprintf(stderr, "bench_sealed: the sealing alone failed\n");
  return ok ? us : std::numeric_limits<double>::quiet_NaN();
}

struct side {
  std::vector<double> rate, p50, p99, cpu;
  bool ok = true;
  void add(run const& r) {
    rate.push_back(r.rate);
    p50.push_back(r.p50_us);
    p99.push_back(r.p99_us);
    cpu.push_back(r.cpu_us);
    ok = ok && r.ok;
  }
  bool empty() const { return rate.empty(); }
  double m(std::vector<double> const& v) const { return v.empty() ? nan : median(v); }
  static constexpr double nan = std::numeric_limits<double>::quiet_NaN();
};

}  // namespace

int main(int argc, char** argv) {
  bool const json = bench_support::take_json_flag(argc, argv);
  int const n = argc > 1 ? std::max(1, std::atoi(argv[1])) : 5000;
  int const rounds = argc > 2 ? std::max(1, std::atoi(argv[2])) : 5;
  std::string const filter = argc > 3 ? argv[3] : "";
  keys const k;
  auto wanted = [&](std::string const& name) { return name.find(filter) != std::string::npos; };

  if (!json) {
    std::printf("typed call() round trips, CURVE REQ over tcp loopback, %d per run, median of %d runs\n", n, rounds);
    std::printf("%-7s %-6s %-9s %14s %9s %9s %9s %8s\n", "path", "bytes", "payload", "round trips/s", "p50 us",
                "p99 us", "cpu us", "ratio");
  }
  bool all_ok = true;
  auto report = [&](char const* path, std::size_t size, side const& plain, side const& sealed) {
    double const ratio = sealed.m(sealed.rate) / plain.m(plain.rate);  // NaN when a side was left out
    all_ok = all_ok && plain.ok && sealed.ok;
    if (json) {
      bench_support::json_row()
          .compare(std::string("sealed/") + path + "/" + std::to_string(size), size, plain.m(plain.rate),
                   sealed.m(sealed.rate))
          .str("unit", "round trips/s")
          .str("path", path)
          .str("transport", "tcp+curve")
          .num("unsealed_p50_us", plain.m(plain.p50))
          .num("unsealed_p99_us", plain.m(plain.p99))
          .num("sealed_p50_us", sealed.m(sealed.p50))
          .num("sealed_p99_us", sealed.m(sealed.p99))
          .num("unsealed_cpu_us", plain.m(plain.cpu))
          .num("sealed_cpu_us", sealed.m(sealed.cpu))
          .integer("round_trips", n)
          .integer("runs", rounds)
          .print();
      return;
    }
    for (auto const* s : {&plain, &sealed}) {
      if (s->empty()) continue;
      bool const is_sealed = s == &sealed;
      std::printf("%-7s %-6zu %-9s %14.0f %9.1f %9.1f %9.1f", path, size, is_sealed ? "sealed" : "unsealed",
                  s->m(s->rate), s->m(s->p50), s->m(s->p99), s->m(s->cpu));
      if (is_sealed && !plain.empty()) std::printf(" %8.2f", ratio);
      std::printf("\n");
    }
  };

  for (std::size_t size : {std::size_t(64), std::size_t(1024)}) {
    std::string const name = "crypto/" + std::to_string(size);
    if (!wanted("sealed/" + name)) continue;
    std::vector<double> us;
    for (int r = 0; r < rounds; ++r) us.push_back(crypto_run(std::max(n / 5, 1), size, k));
    all_ok = all_ok && std::isfinite(median(us));
    if (json)
      bench_support::json_row()
          .str("name", "sealed/" + name)
          .integer("bytes", static_cast<long long>(size))
          .num("raw", std::numeric_limits<double>::quiet_NaN())
          .num("zguard", median(us))
          .num("ratio", std::numeric_limits<double>::quiet_NaN())
          .str("unit", "us per round trip")
          .str("path", "crypto")
          .integer("round_trips", std::max(n / 5, 1))
          .integer("runs", rounds)
          .print();
    else
      std::printf("%-7s %-6zu %-9s %14s %9s %9s %9.1f\n", "crypto", size, "sealed", "-", "-", "-", median(us));
  }
  for (char const* path : {"queue", "direct"}) {
    bool const queue = path == std::string("queue");
    for (std::size_t size : {std::size_t(64), std::size_t(1024)}) {
      std::string const name = std::string(path) + "/" + std::to_string(size);
      bool const want_plain = wanted(name + "/unsealed") || wanted("sealed/" + name);
      bool const want_sealed = wanted(name + "/sealed") || wanted("sealed/" + name);
      if (!want_plain && !want_sealed) continue;
      side plain, sealed;
      for (int r = 0; r < rounds; ++r) {
        // Which goes first alternates, so neither always follows the other's teardown.
        for (int turn = 0; turn < 2; ++turn) {
          bool const seal = (turn == 0) == (r % 2 == 1);
          if (seal && want_sealed) sealed.add(queue ? queue_run<true>(n, size, k) : direct_run<true>(n, size, k));
          if (!seal && want_plain) plain.add(queue ? queue_run<false>(n, size, k) : direct_run<false>(n, size, k));
        }
      }
      report(path, size, plain, sealed);
    }
  }
  if (!all_ok) {
    std::fprintf(stderr, "bench_sealed: a call failed or came back changed\n");
    return 1;
  }
}
