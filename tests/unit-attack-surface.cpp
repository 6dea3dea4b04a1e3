// Attacks on the asynchronous caller, the metrics and `zguard health`, the
// ranged per-peer rate and the Python module, over real sockets. A test of
// a hole fails on the code it found the hole in and says, in a comment,
// what the secure behaviour is; a test of an attack withstood passes.
// Every loop is bounded in count and time.
#include "schemas.hpp"
#include "support.hpp"
#include "support/callers.hpp"
#include "support/exposition.hpp"

#include <sys/stat.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <future>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

using namespace zguard_test;
using namespace std::chrono_literals;

namespace {

std::filesystem::path describe_schemas(temp_dir const& dir) {
  auto const path = dir.path / "schemas.json";
  auto [rc, out] = run_command(std::string(ZGUARD_DESCRIBE_SCHEMAS) + " " + path.string());
  REQUIRE(rc == 0);
  return path;
}

// `zguard health FILE --max-age 30`'s exit status, bounded by timeout(1):
// 124 when the tool did not return within 10 s.
int health_of(std::filesystem::path const& file) {
  return run_command("timeout 10 " + std::string(ZGUARD_TOOL) + " health " + file.string() +
                     " --max-age 30 >/dev/null 2>&1")
      .first;
}

}  // namespace

// ---------------------------------------------------------------- caller

// Was a hole (fixed; this test failed before). docs/wire-format.md ("Correlated calls") and caller.hpp say an
// answer to a call "whose deadline passed" is refused (`expired`) and never
// delivered. Secure behaviour: an answer the caller takes after the call's
// deadline is refused as expired and the call completes timed_out. Before the
// fix poll_for() takes the ready answers before it expires the
// deadlines that passed, so an answer that came after the deadline, while
// the caller was not being driven, completes the call as if in time.
TEST_CASE("attack caller: an answer taken after its call's deadline passed is refused as expired, not delivered") {
  inproc_pair pair("attack-late");
  auto& [seen, ctx, router, dealer] = pair;
  zg::caller<in_dealer> calls(dealer);
  std::optional<zg::call_result<order_ack>> result;
  calls.call(numbered_order(1), 100ms, [&](zg::call_result<order_ack> r) { result.emplace(std::move(r)); });
  auto held = receive_n(router, 1, 2s);
  REQUIRE(held.size() == 1);
  std::this_thread::sleep_for(300ms);  // the deadline passed; the caller is not driven meanwhile
  REQUIRE(router.reply(held[0], ack_for(1)));
  for (int i = 0; i < 50 && !result; ++i) calls.poll_for(20ms);
  REQUIRE(result);
  INFO("status: ", zg::to_string(result->status()), " ", result->reason());
  CHECK(result->status() == zg::call_status::timed_out);
  CHECK(calls.refused_answers() == 1);
}

// Was a hole (fixed; this test failed before). Nothing stops two callers from driving one DEALER: each reads the
// other's answers off the shared socket and refuses them as `unknown`, so
// calls that were answered in time end timed_out and the log blames the
// service. Secure behaviour: a second caller on a socket that already has
// one is refused (std::logic_error), or every answer reaches the caller
// that drew its id.
TEST_CASE("attack caller: two callers sharing one DEALER do not lose each other's answers") {
  inproc_pair pair("attack-two-callers");
  auto& [seen, ctx, router, dealer] = pair;
  zg::caller<in_dealer> first(dealer);
  std::optional<zg::caller<in_dealer>> second;
  bool second_refused = false;
  try {
    second.emplace(dealer);
  } catch (std::logic_error const&) {
    second_refused = true;
  }
  if (second_refused) return;  // the secure outcome
  std::optional<zg::call_result<order_ack>> a, b;
  first.call(numbered_order(1), 1500ms, [&](zg::call_result<order_ack> r) { a.emplace(std::move(r)); });
  second->call(numbered_order(2), 1500ms, [&](zg::call_result<order_ack> r) { b.emplace(std::move(r)); });
  for (auto const& r : receive_n(router, 2, 2s)) REQUIRE(router.reply(r, ack_for(r.value.id)));
  std::this_thread::sleep_for(50ms);
  for (int i = 0; i < 100 && (!a || !b); ++i) {
    first.poll_for(10ms);
    second->poll_for(10ms);
  }
  REQUIRE(a);
  REQUIRE(b);
  INFO("first: ", zg::to_string(a->status()), ", second: ", zg::to_string(b->status()), "; events: ", seen);
  CHECK(a->ok());
  CHECK(b->ok());
  CHECK(first.refused_answers() + second->refused_answers() == 0);
}

// Withstood: a retried call on a signed channel is sealed anew for each
// attempt, so the service verifies the resend (no verify.replay) and its
// answer completes the call on the second attempt.
TEST_CASE("attack caller: a retried call on a signed channel is not refused as a replay by the service") {
  captured_events seen;
  temp_dir dir;
  zg::context<test_domain> ctx(seen.sink());
  auto server_key = zg::signing_key<zg::ed25519>::generate(), client_key = zg::signing_key<zg::ed25519>::generate();
  zg::verify_keys<zg::ed25519> clients, servers;
  clients.add(client_key.verify_part());
  servers.add(server_key.verify_part());
  auto const path = "ipc://" + (dir.path / "svc.sock").string();
  signed_router service(ctx, server_key, clients);
  service.bind(path);
  signed_dealer dealer(ctx, client_key, servers);
  dealer.connect(path);
  zg::caller<signed_dealer, zg::retry<3, 20, 100>> calls(dealer);
  std::optional<zg::call_result<order_ack>> result;
  calls.call(numbered_order(5), 5s, [&](zg::call_result<order_ack> r) { result.emplace(std::move(r)); });
  std::jthread svc([&] {
    auto first = receive_n(service, 1, 3s);  // ignored: the attempt times out
    auto second = receive_n(service, 1, 3s);
    if (second.size() == 1) (void)service.reply(second[0], ack_for(second[0].value.id));
  });
  calls.run_until_idle(6s);
  svc.join();
  REQUIRE(result);
  INFO(zg::to_string(result->status()), " ", result->reason(), "; events: ", seen);
  CHECK(result->ok());
  CHECK(result->attempts() == 2);
  CHECK(seen.named("verify.replay").empty());
}

// Withstood: deadlines and waits outside their documented ranges are
// refused, never clamped; a caller destroyed with a call in flight breaks
// its future instead of leaving it pending for ever.
TEST_CASE("attack caller: deadlines and waits at extremes are refused and a destroyed caller breaks its futures") {
  inproc_pair pair("attack-extremes");
  auto& [seen, ctx, router, dealer] = pair;
  std::future<zg::call_result<order_ack>> pending;
  {
    zg::caller<in_dealer, zg::in_flight<1>> calls(dealer);
    for (auto d : {0ms, -5ms, std::chrono::milliseconds(3'600'001), std::chrono::milliseconds::max(),
                   std::chrono::milliseconds::min()})
      CHECK_THROWS_AS(calls.call(numbered_order(1), d, [](zg::call_result<order_ack>) {}), std::invalid_argument);
    CHECK_THROWS_AS(calls.poll_for(-1ms), std::invalid_argument);
    CHECK_THROWS_AS(calls.poll_for(std::chrono::milliseconds::max()), std::invalid_argument);
    CHECK(calls.in_flight() == 0);
    pending = calls.call(numbered_order(1), 10s);
    // Past in_flight<1>: completed at once, never sent.
    auto over = calls.call(numbered_order(2), 10s);
    REQUIRE(over.wait_for(0s) == std::future_status::ready);
    CHECK(over.get().status() == zg::call_status::too_many_in_flight);
    CHECK(calls.in_flight() == 1);
  }
  REQUIRE(pending.wait_for(0s) == std::future_status::ready);
  CHECK_THROWS_AS(pending.get(), std::future_error);
}

// ---------------------------------------------------------------- health

// Was a hole (NaN; fixed, this test failed before). `zguard health` is to say unhealthy for a file that does not
// prove a recent write by a live service. Before the fix a timestamp
// of NaN makes every age comparison false, and the tool prints "healthy:
// up, figures written nan s ago" (exit 0). Secure behaviour: a timestamp
// that is not a finite number, one in the future, a second zguard_up or
// timestamp sample, and `zguard_up 0` are all unhealthy (exit 1); a
// similarly named metric is not zguard_up. (The future, +Inf, 1e308,
// look-alike and duplicate variants are withstood.)
TEST_CASE("attack health: a future, non-finite or duplicated timestamp and a look-alike zguard_up are not healthy") {
  zg::context<test_domain> ctx;
  temp_dir dir;
  auto const text = ctx.metrics().prometheus_text();
  REQUIRE(text.find("zguard_up{domain=\"test\"} 1\n") != std::string::npos);
  auto const fresh = dir.path / "fresh.prom";
  write_file(fresh, text);
  REQUIRE(health_of(fresh) == 0);

  auto const ts = "zguard_metrics_written_timestamp_seconds";
  auto const up = "zguard_up{domain=\"test\"}";
  double const now_s = double(std::chrono::duration_cast<std::chrono::seconds>(
                                  std::chrono::system_clock::now().time_since_epoch())
                                  .count());
  std::map<std::string, std::string> variants;
  variants["future by 30 years"] = with_sample_value(text, ts, std::to_string(now_s + 30.0 * 365 * 86400));
  variants["NaN"] = with_sample_value(text, ts, "NaN");
  variants["+Inf"] = with_sample_value(text, ts, "+Inf");
  variants["1e308"] = with_sample_value(text, ts, "1e308");
  variants["up 0 then zguard_up_extra 1"] = with_sample_value(text, up, "0") + "zguard_up_extra 1\n";
  variants["up 0 then a second up 1"] = with_sample_value(text, up, "0") + "zguard_up{domain=\"test\"} 1\n";
  variants["a stale timestamp then a fresh one"] = with_sample_value(text, ts, "1000000000") +
                                                   "zguard_metrics_written_timestamp_seconds{domain=\"test\"} " +
                                                   std::to_string(now_s) + "\n";
  variants["only the two lines"] = "zguard_up 1\nzguard_metrics_written_timestamp_seconds " + std::to_string(now_s) + "\n";
  int i = 0;
  for (auto const& [name, body] : variants) {
    auto const f = dir.path / ("v" + std::to_string(i++) + ".prom");
    write_file(f, body);
    INFO("variant: ", name);
    if (name == "only the two lines") {
      CHECK(health_of(f) != 124);  // whatever it judges, it answers
    } else {
      CHECK(health_of(f) == 1);
    }
  }
}

// Was a hole (fixed; this test failed before). `zguard health` reads a path a supervisor names: a FIFO nobody writes or
// an endless device must not hang it or exhaust its memory. Secure
// behaviour: it answers unhealthy (exit 1) at once, without blocking on the
// FIFO or reading the device for ever (a regular file is required, and at
// most a bounded number of bytes read). Before the fix it blocks on
// the FIFO and reads /dev/zero and /dev/urandom until killed.
TEST_CASE("attack health: a FIFO or an endless device is answered unhealthy without hanging") {
  temp_dir dir;
  auto const fifo = dir.path / "metrics.prom";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  auto const t0 = std::chrono::steady_clock::now();
  CHECK(health_of(fifo) == 1);
  CHECK(health_of("/dev/zero") == 1);
  CHECK(health_of("/dev/urandom") == 1);
  CHECK(std::chrono::steady_clock::now() - t0 < 25s);
}

// Was a hole (fixed, this test failed before). write_textfile promises "a reader sees
// the old figures or the new, never part of them". Two writers of one path
// (two timers, two threads, two contexts of one service) share path +
// ".tmp". Secure behaviour: every read of the path gives a complete
// exposition (ending with the timestamp line and its newline); a writer may
// fail with std::runtime_error but never publishes another's half-written
// file.
TEST_CASE("attack metrics: two writers of one textfile never expose a partial file") {
  zg::context<test_domain> ctx;
  temp_dir dir;
  auto const path = (dir.path / "app.prom").string();
  ctx.metrics().write_textfile(path);
  std::atomic<bool> done{false};
  std::atomic<int> partial{0}, reads{0}, errors{0};
  auto writer = [&] {
    for (int i = 0; i < 150; ++i) try {
        ctx.metrics().write_textfile(path);
      } catch (std::runtime_error const&) {
        ++errors;
      }
  };
  std::jthread reader([&] {
    auto const until = std::chrono::steady_clock::now() + 20s;
    while (!done && std::chrono::steady_clock::now() < until) {
      auto const body = read_file(path);
      ++reads;
      auto const last = body.rfind("zguard_metrics_written_timestamp_seconds");
      if (body.empty() || body.back() != '\n' || last == std::string::npos || body.find('\n', last) != body.size() - 1)
        ++partial;
    }
  });
  {
    std::jthread w1(writer), w2(writer);
  }
  done = true;
  reader.join();
  INFO("reads ", reads.load(), ", writer errors ", errors.load());
  CHECK(partial == 0);
  auto const final_text = read_file(path);
  CHECK(final_text.find("zguard_up{domain=\"test\"} 1\n") != std::string::npos);
}

// Withstood: label values a program chooses (the domain) cannot add a
// sample line or forge zguard_up in the exposition.
TEST_CASE("attack metrics: a domain name cannot forge a zguard_up line") {
  zg::event_log log([](zg::security_event const&) {});
  zg::metrics_registry registry("x\"} 0\nzguard_up{domain=\"forged\"} 1\n#", log);
  auto const text = registry.prometheus_text();
  std::istringstream lines(text);
  int ups = 0;
  for (std::string line; std::getline(lines, line);)
    if (line.rfind("zguard_up", 0) == 0 && line.rfind("zguard_up_", 0) != 0) ++ups;
  CHECK(ups == 1);
  CHECK(text.find("\nzguard_up{domain=\"forged\"} 1") == std::string::npos);
}

// ---------------------------------------------------------------- ranged rate

namespace {
using ranged_rate_limits =
    zg::limits<zg::send_hwm<100>, zg::recv_hwm<100>, zg::block_when_full, zg::max_message_size<4096>,
               zg::linger_ms<0>, zg::send_timeout_ms<1000>, zg::recv_timeout_ms<200>,
               zg::handshake_timeout_ms<2000>, zg::per_peer_rate_in<10, 100, 5, 50>>;
using ranged_rep = zg::socket<test_domain, zg::ipc, zg::rep, zg::null_mechanism, ranged_rate_limits, order_service>;
}  // namespace

// Withstood: a rate or burst out of its range, 0, negative, past int, or
// missing is refused at construction; the chosen values are the ones applied.
TEST_CASE("attack ranged rate: out of range, zero, negative, huge or missing values are refused") {
  zg::context<test_domain> ctx;
  auto make = [&](std::optional<std::int64_t> rate, std::optional<std::int64_t> burst) {
    zg::runtime_limits l;
    l.rate_per_second = rate;
    l.rate_burst = burst;
    ranged_rep rep(ctx, l);
    return rep.applied_limits();
  };
  for (auto [r, b] : std::vector<std::pair<std::optional<std::int64_t>, std::optional<std::int64_t>>>{
           {0, 10}, {-1, 10}, {101, 10}, {9, 10}, {10, 0}, {10, 4}, {10, 51}, {10, -5},
           {std::int64_t(1) << 40, 10}, {(std::int64_t(1) << 32) + 50, 10}, {10, (std::int64_t(1) << 32) + 10},
           {std::nullopt, 10}, {10, std::nullopt}, {std::nullopt, std::nullopt}}) {
    INFO("rate ", r ? std::to_string(*r) : "missing", " burst ", b ? std::to_string(*b) : "missing");
    CHECK_THROWS_AS(make(r, b), zg::runtime_limit_error);
  }
  auto const applied = make(10, 5);
  CHECK(applied.find("rate_per_second=10") != std::string::npos);
  CHECK(applied.find("rate_burst=5") != std::string::npos);
}

// Withstood if it passes: a REP with a chosen burst of 5 at 10/s answers at
// most about 5 of 30 requests sent at once; the rest are refused "rate
// limited", so the compile-time stand-in (100/s, burst 50) is not used.
TEST_CASE("attack ranged rate: a typed service fills its buckets at the chosen rate, not the range's top") {
  captured_events seen;
  temp_dir dir;
  zg::context<test_domain> ctx(seen.sink());
  zg::runtime_limits l;
  l.rate_per_second = 10;
  l.rate_burst = 5;
  ranged_rep rep(ctx, l);
  auto const path = "ipc://" + (dir.path / "rate.sock").string();
  rep.bind(path);
  std::atomic<int> served{0};
  std::stop_source stop;
  std::jthread svc([&] {
    rep.serve(
        [&](order const& o, zg::peer_info const&) {
          ++served;
          return ack_for(o.id);
        },
        stop.get_token());
  });
  zmq::context_t raw;
  zmq::socket_t d(raw, zmq::socket_type::dealer);
  d.set(zmq::sockopt::linger, 0);
  d.set(zmq::sockopt::rcvtimeo, 2000);
  d.connect(path);
  auto const body = zg::encode(numbered_order(1));
  std::string const request(reinterpret_cast<char const*>(body.data()), body.size());
  for (int i = 0; i < 30; ++i) {
    d.send(zmq::message_t(), zmq::send_flags::sndmore);
    d.send(zmq::buffer(request));
  }
  int answers = 0;
  for (int i = 0; i < 30; ++i) {
    std::vector<zmq::message_t> f;
    if (!zmq::recv_multipart(d, std::back_inserter(f))) break;
    ++answers;
  }
  stop.request_stop();
  svc.join();
  INFO("answers ", answers, ", served ", served.load());
  CHECK(answers == 30);
  CHECK(served.load() >= 5);
  CHECK(served.load() <= 8);
  CHECK(seen.named("rate.limited").size() >= 20);
}

// ---------------------------------------------------------------- Python

// Was a hole (a rule with a C++ copy only; fixed, this test failed before). docs/python.md offers
// sockets.Service as "a typed zguard REP"; a C++ REP echoes a correlated
// request's call id (docs/wire-format.md, "Correlated calls"). The Python
// Service does not know the correlated form: it refuses a caller's request
// without a call id, the caller refuses that answer (`no call id`) and the
// call times out. Secure behaviour: the Python Service answers a correlated
// request in the correlated form with the same id (or refuses id 0 and
// cut ids as the C++ service does), so a caller's call completes.
TEST_CASE("attack python: a C++ caller's correlated request is answered by a Python Service with its call id") {
  require_python();
  temp_dir dir;
  auto const schemas = describe_schemas(dir);
  auto const path = "ipc://" + (dir.path / "py.sock").string();
  std::string out;
  std::jthread peer([&] {
    out = run_command(python_script_with_module("attack_peer.py serve " + path + " " + schemas.string() + " 1") +
                      " 2>&1")
              .second;
  });
  captured_events seen;
  zg::context<test_domain> ctx(seen.sink());
  ipc_dealer dealer(ctx);
  dealer.connect(path);
  zg::caller<ipc_dealer> calls(dealer);
  std::optional<zg::call_result<order_ack>> result;
  std::this_thread::sleep_for(500ms);  // the interpreter starts and binds
  calls.call(numbered_order(7), 4s, [&](zg::call_result<order_ack> r) { result.emplace(std::move(r)); });
  calls.run_until_idle(6s);
  peer.join();
  REQUIRE(result);
  INFO(zg::to_string(result->status()), " ", result->reason(), "; python: ", out, "; events: ", seen);
  CHECK(result->ok());
  CHECK(calls.refused_answers() == 0);
}

// Withstood if it passes: the Python decoder, which a Service runs on
// every request a peer sends, raises only DecodeError on mutated input
// (anything else would end the Service's serve loop).
TEST_CASE("attack python: mutated requests raise only DecodeError in the Python decoder") {
  require_python();
  temp_dir dir;
  auto const schemas = describe_schemas(dir);
  auto const body = zg::encode(sample_order());
  auto const hex = to_hex(std::string_view(reinterpret_cast<char const*>(body.data()), body.size()));
  auto [rc, out] =
      run_command(python_script_with_module("attack_peer.py fuzz " + schemas.string() + " " + hex + " 20000") + " 2>&1");
  INFO(out);
  CHECK(rc == 0);
  CHECK(out.find("done 0") != std::string::npos);
}
