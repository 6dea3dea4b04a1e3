// Per-peer rate limits (G14) against the ways around them: batches (one
// frame, many messages) at a typed receiver and through a streamer proxy,
// and on ipc new processes of the same OS user. Each bound is the bucket's:
// burst + rate x the time the test took (+ slack); the test's own time
// only loosens it, so a slow machine cannot make it fail.
#include "router_attack.hpp"
#include "schemas.hpp"
#include "support.hpp"
#include "support/streamer.hpp"

#include <zguard/config.hpp>

#include <cstdlib>
#include <string>

using namespace zguard_test;
using namespace std::chrono_literals;

namespace {

constexpr int rate = 10, burst = 10;
using rated_limits = zg::limits<zg::send_hwm<1000>, zg::recv_hwm<1000>, zg::block_when_full, zg::max_message_size<65536>,
                                zg::linger_ms<2000>, zg::send_timeout_ms<1000>, zg::recv_timeout_ms<300>,
                                zg::handshake_timeout_ms<2000>, zg::per_peer_rate<rate, burst>>;
using sender_limits = zg::limits<zg::send_hwm<1000>, zg::recv_hwm<1000>, zg::block_when_full, zg::max_message_size<65536>,
                                 zg::linger_ms<2000>, zg::send_timeout_ms<1000>, zg::recv_timeout_ms<300>,
                                 zg::handshake_timeout_ms<2000>>;
using batching = zg::batched<64, 5>;

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}
// What a bucket lets through in `seconds`, with room for one refill tick.
double bucket_bound(double seconds, double extra = 0) { return burst + rate * seconds + 2 + extra; }

// The "dropped" fields of the rate.limited events, summed.
std::size_t dropped_in(captured_events const& seen) {
  std::size_t n = 0;
  for (auto const& e : seen.named("rate.limited"))
    if (auto d = e.field("dropped"); !d.empty()) n += std::stoul(std::string(d));
  return n;
}

using push_t = zg::socket<test_domain, zg::tcp, zg::push, zg::curve_client, sender_limits, zg::stream<tick>, batching>;

struct flood_outcome {
  std::size_t flood = 0, calm = 0;  // delivered of the flooder's 640, of the other's 5
  double took = 0;                  // seconds, from the first send to the last receive
};

// The scene's attacker sends ten full batches of "F" to `ep`, then its
// victim five "P"; `receiver` reads until both stopped coming (or 20 s).
template <class Endpoint, class Receiver>
flood_outcome flood_and_calm(squat_scene& scene, Endpoint const& ep, Receiver& receiver) {
  auto const server = scene.server_keys.public_part();
  push_t flooder(scene.ctx, scene.attacker_keys, server), polite(scene.ctx, scene.victim_keys, server);
  flooder.connect(ep);
  polite.connect(ep);
  auto const start = std::chrono::steady_clock::now();
  for (std::uint32_t i = 1; i <= 640; ++i) REQUIRE(flooder.send(tick{"F", 1, i}));
  REQUIRE(flooder.flush());
  for (std::uint32_t i = 1; i <= 5; ++i) REQUIRE(polite.send(tick{"P", 1, i}));
  REQUIRE(polite.flush());
  flood_outcome out;
  auto const deadline = start + 20s;
  while (std::chrono::steady_clock::now() < deadline) {
    auto m = receiver.receive();
    if (!m) {
      if (out.calm == 5) break;
      continue;
    }
    ++(m->value.symbol.view() == "F" ? out.flood : out.calm);
  }
  out.took = seconds_since(start);
  return out;
}

}  // namespace

TEST_CASE("rate limit: a batch pays a token a message, a batching flooder gets its bucket's worth, another peer is served") {
  squat_scene scene;  // two allowed keys: the attacker floods, the victim is polite
  auto& [seen, ctx, auth, server_keys, polite_keys, flooder_keys] = scene;
  using pull_t = zg::socket<test_domain, zg::tcp, zg::pull, zg::curve_server, rated_limits, zg::stream<tick>, batching>;
  pull_t pull(ctx, auth, server_keys);
  auto const [flood, calm, took] = flood_and_calm(scene, pull.bind("tcp://127.0.0.1:*"), pull);
  INFO("flooder delivered " << flood << " of 640 in " << took << " s");
  CHECK(double(flood) <= bucket_bound(took));
  CHECK(flood >= 1);
  CHECK(calm == 5);  // the other peer's bucket is its own
  // The tail of a batch beyond the tokens is dropped, logged once with its count.
  auto const limited = seen.named("rate.limited");
  REQUIRE(!limited.empty());
  for (auto const& e : limited) CHECK(e.field("user_id") == flooder_keys.public_part().z85());
  std::size_t const dropped = dropped_in(seen);
  CHECK(dropped >= 1);
  CHECK(flood + dropped <= 640);
}

TEST_CASE("rate limit: a streamer proxy's PULL front charges a batch its message count") {
  squat_scene scene;  // two allowed keys: the attacker floods, the victim is polite
  auto& [seen, ctx, auth, server_keys, polite_keys, flooder_keys] = scene;
  using front_t = zg::socket<test_domain, zg::tcp, zg::pull, zg::curve_server, rated_limits>;
  using back_t = zg::socket<test_domain, zg::inproc, zg::push, zg::null_mechanism, inproc_limits>;
  using worker_t = zg::socket<test_domain, zg::inproc, zg::pull, zg::null_mechanism, sender_limits, zg::stream<tick>, batching>;
  streamer_scene<front_t, back_t, worker_t> streamer(ctx, auth, server_keys, "inproc://rated-streamer");
  auto const [flood, calm, took] = flood_and_calm(scene, streamer.in, streamer.worker);
  INFO("flooder delivered " << flood << " of 640 in " << took << " s");
  // A proxy cannot cut a (signed) batch: one admitted batch may overdraw
  // the bucket by up to N - 1 messages, repaid before the next is let in.
  CHECK(double(flood) <= bucket_bound(took, 64 - 1));
  CHECK(flood >= 1);
  CHECK(calm == 5);
  REQUIRE(!seen.named("rate.limited").empty());
  for (auto const& e : seen.named("rate.limited")) CHECK(e.field("user_id") == flooder_keys.public_part().z85());
}

TEST_CASE("rate limit: a rate chosen at start-up from a configuration file fills a receiver's buckets and a proxy front's") {
  // The type allows 1..1000; the file picks the test's 10/s, burst 10. The
  // type's stand-in (1000) would let the whole flood through.
  using chosen_rate = zg::limits<zg::send_hwm<1000>, zg::recv_hwm<1000>, zg::block_when_full, zg::max_message_size<65536>,
                                 zg::linger_ms<2000>, zg::send_timeout_ms<1000>, zg::recv_timeout_ms<300>,
                                 zg::handshake_timeout_ms<2000>, zg::per_peer_rate_in<1, 1000, 1, 1000>>;
  using pull_t = zg::socket<test_domain, zg::tcp, zg::pull, zg::curve_server, chosen_rate, zg::stream<tick>, batching>;
  using front_t = zg::socket<test_domain, zg::tcp, zg::pull, zg::curve_server, chosen_rate>;
  using back_t = zg::socket<test_domain, zg::inproc, zg::push, zg::null_mechanism, inproc_limits>;
  using worker_t = zg::socket<test_domain, zg::inproc, zg::pull, zg::null_mechanism, sender_limits, zg::stream<tick>, batching>;
  CHECK(pull_t::profile().find("per_peer_rate=1..1000/s burst 1..1000") != std::string::npos);
  temp_dir dir;
  auto const file = write_file(dir.path / "rates.toml", "[front]\nrate_per_second = 10\nrate_burst = 10\n");
  auto const chosen = zg::config::load(file).limits_for<pull_t>("front");
  squat_scene scene;
  auto& [seen, ctx, auth, server_keys, polite_keys, flooder_keys] = scene;
  SUBCASE("a typed receiver") {
    pull_t pull(ctx, auth, server_keys, chosen);
    CHECK(pull.applied_limits().ends_with("; rate_per_second=10; rate_burst=10"));
    auto const [flood, calm, took] = flood_and_calm(scene, pull.bind("tcp://127.0.0.1:*"), pull);
    INFO("flooder delivered " << flood << " of 640 in " << took << " s");
    CHECK(double(flood) <= bucket_bound(took));
    CHECK(flood >= 1);
    CHECK(calm == 5);
  }
  SUBCASE("a streamer proxy's front") {
    streamer_scene<front_t, back_t, worker_t> streamer(ctx, auth, server_keys, "inproc://chosen-rate", chosen);
    auto const [flood, calm, took] = flood_and_calm(scene, streamer.in, streamer.worker);
    INFO("flooder delivered " << flood << " of 640 in " << took << " s");
    CHECK(double(flood) <= bucket_bound(took, 64 - 1));
    CHECK(flood >= 1);
    CHECK(calm == 5);
  }
  SUBCASE("a rate outside the type's range, or a burst left out, is refused naming the key and the range") {
    auto const too_fast = write_file(dir.path / "fast.toml", "[front]\nrate_per_second = 5000\nrate_burst = 10\n");
    CHECK_THROWS_WITH_AS((void)zg::config::load(too_fast).limits_for<pull_t>("front"),
                         contains("front.rate_per_second=5000 is out of range 1..1000"), zg::config_error);
    auto const no_burst = write_file(dir.path / "burst.toml", "[front]\nrate_per_second = 10\n");
    CHECK_THROWS_WITH_AS((void)zg::config::load(no_burst).limits_for<pull_t>("front"),
                         contains("front.rate_burst is missing (the socket type takes 1..1000)"), zg::config_error);
    CHECK_THROWS_WITH_AS(pull_t(ctx, auth, server_keys, zg::runtime_limits{.rate_per_second = 10, .rate_burst = 0}),
                         contains("rate_burst=0 is out of range 1..1000"), zg::runtime_limit_error);
  }
}

TEST_CASE("rate limit: on ipc NULL a peer is the OS user, its processes share one bucket") {
  captured_events seen;
  zg::context<test_domain> ctx(seen.sink());
  temp_dir dir;
  using pull_t = zg::socket<test_domain, zg::ipc, zg::pull, zg::null_mechanism, rated_limits, zg::stream<tick>>;
  pull_t pull(ctx);
  auto const ep = pull.bind("ipc://" + (dir.path / "rated.sock").string());
  std::string const frame = to_hex(zg::encode(tick{"F", 1, 1}));
  // Six processes of this user (each its own pid), 20 messages each, at once.
  constexpr int processes = 6, each = 20;
  std::string cmd;
  for (int i = 0; i < processes; ++i)
    cmd += python_script("ipc_sender.py " + ep.address + " " + std::to_string(each) + " " + frame) + " & ";
  cmd += "wait";
  auto const start = std::chrono::steady_clock::now();
  auto [rc, out] = run_command(cmd);
  INFO(out);
  REQUIRE(rc == 0);
  int finished = 0;
  for (auto at = out.find("sent "); at != std::string::npos; at = out.find("sent ", at + 1)) ++finished;
  REQUIRE(finished == processes);
  std::size_t got = 0;
  while (pull.receive()) ++got;  // until 300 ms without one: every sender has finished
  double const took = seconds_since(start);
  INFO("delivered " << got << " of " << processes * each << " in " << took << " s");
  CHECK(double(got) <= bucket_bound(took));
  CHECK(got >= 1);
  auto const limited = seen.named("rate.limited");
  REQUIRE(!limited.empty());
  CHECK(limited.front().field("address").find(':') != std::string_view::npos);  // libzmq's host:uid:gid:pid
}

TEST_CASE("rate limit: the bucket key of a peer: its identity, else the IP, else on ipc the OS user") {
  using zg::detail::rate_peer;
  CHECK(rate_peer("Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID", "127.0.0.1", false) ==
        "Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID");
  CHECK(rate_peer("alice", "localhost:1000:1000:4242", true) == "alice");
  CHECK(rate_peer("", "127.0.0.1", false) == "127.0.0.1");
  CHECK(rate_peer("", "::1", false) == "::1");
  // ipc: "host:uid:gid:pid" from SO_PEERCRED; the gid and pid are the peer's to change.
  CHECK(rate_peer("", "localhost:1000:1000:4242", true) == "localhost:1000");
  CHECK(rate_peer("", "localhost:1000:27:4243", true) == "localhost:1000");
  CHECK(rate_peer("", ":0:0:1", true) == ":0");
  CHECK(rate_peer("", "localhost", true) == "localhost");  // no credentials: every such peer is one
}

TEST_CASE("rate limit: take() pays what the bucket holds, charge() passes a whole frame and repays its overdraft") {
  using clock = zg::detail::token_buckets::clock;
  auto const t0 = clock::now();
  zg::detail::token_buckets buckets(10, 10);
  CHECK(buckets.take(zg::detail::bucket_id("a"), 1, t0) == 1);
  CHECK(buckets.take(zg::detail::bucket_id("a"), 63, t0) == 9);  // the rest of a 64-message batch: 9 paid, 54 dropped
  CHECK(buckets.take(zg::detail::bucket_id("a"), 5, t0) == 0);
  CHECK(buckets.take(zg::detail::bucket_id("a"), 5, t0 + std::chrono::milliseconds(300)) == 3);  // refilled 10/s
  CHECK(buckets.take(zg::detail::bucket_id("b"), 20, t0) == 10);                                   // another peer: its own bucket
  // A frame that cannot be cut: passes on one token, pays all 64.
  CHECK(buckets.charge(zg::detail::bucket_id("c"), 64, t0));
  CHECK(!buckets.charge(zg::detail::bucket_id("c"), 1, t0));
  CHECK(!buckets.charge(zg::detail::bucket_id("c"), 1, t0 + std::chrono::seconds(5)));  // -54 + 50 = -4
  CHECK(buckets.charge(zg::detail::bucket_id("c"), 1, t0 + std::chrono::milliseconds(5500)));  // repaid: 1
  CHECK(!buckets.charge(zg::detail::bucket_id("c"), 1, t0 + std::chrono::milliseconds(5500)));
}
