// pipeline_market: a signed and sealed market-data fan-out, publisher ->
// forwarder -> subscribers, as one checked type (docs/pipelines.md). Every
// quote is signed with Ed25519 by the publisher and verified by each
// subscriber, and sealed end to end (G19) under an epoch key the publisher
// seals to the subscriber stage's sealing key: the forwarder holds no
// signing key and no sealing key, and passes the envelopes on unread. Both
// links are CURVE. --keygen writes a sealing key for the subscribers alone.
// The typed sockets are derived from the links: the example programs' own
// types (demo_sockets.hpp) with the links' sealed<...> added; the
// forwarder's untyped relay sockets are those programs' own.
#include <zguard/pipeline.hpp>
#include <zguard/zguard.hpp>

#include <chrono>
#include <set>
#include <type_traits>

#include "demo_sockets.hpp"

namespace zg = zguard;
using namespace std::chrono_literals;

namespace market_example {
using namespace example;

// Sealed to at most 4 member keys (the subscriber stage's, shared by its
// replicas), the key announcement repeated every 200 ms for subscribers
// that connect after the publisher's first.
using market_sealing = zg::sealed<zg::max_members<4>, zg::announce_ms<200>>;
struct quotes_in : zg::link<"quotes_in", "tcp://127.0.0.1:*", feed_domain, zg::tcp, eur_quotes, zg::curve_server, 512,
                            feed_signing, market_sealing> {};
struct quotes_out : zg::link<"quotes_out", "tcp://127.0.0.1:*", feed_domain, zg::tcp, eur_quotes, zg::curve_server,
                             512, feed_signing, market_sealing> {};

constexpr std::uint32_t quote_count = 1000;
constexpr int subscriber_count = 2;

// Publishes warm-up quotes (sequence 0) until every subscriber has seen one
// (PUB/SUB drops what is sent before a subscription arrives), then the feed;
// stays up until the pipeline stops (linger 0 would drop queued quotes).
struct publisher : zg::stage<"publisher", zg::binds<quotes_in, zg::pub, feed_limits>> {
  static void run(zg::stage_env& env, socket_on<quotes_in>& pub) {
    auto const deadline = std::chrono::steady_clock::now() + 30s;
    while (!env.await_ready("subscriber", subscriber_count, 10ms)) {
      if (env.stop_requested() || std::chrono::steady_clock::now() > deadline) return;
      (void)pub.send(quote{"EURCHF", 0, 0});
    }
    std::uint32_t sent = 0;
    for (std::uint32_t i = 1; i <= quote_count && !env.stop_requested(); ++i) {
      if (pub.send(quote{"EURCHF", 930000 + std::int64_t(i % 100), i})) ++sent;
      if (i % 100 == 0) std::this_thread::sleep_for(1ms);  // a feed, not a burst past the HWM
    }
    env.report("sent", sent);
    while (!env.stop_requested()) std::this_thread::sleep_for(10ms);
  }
};

// A relay between two CURVE links; it cannot sign, so it cannot forge, and
// holds no sealing key, so it reads no quote. The pipeline runs its proxy:
// no code of ours holds its untyped sockets.
struct forwarder : zg::relay_stage<"forwarder", zg::connects<quotes_in, upstream_socket>,
                                   zg::binds<quotes_out, downstream_socket>> {};

struct subscriber : zg::stage<"subscriber", zg::connects<quotes_out, zg::sub, feed_limits>> {
  static constexpr int replicas = subscriber_count;
  static constexpr bool finishes = true;
  static void run(zg::stage_env& env, socket_on<quotes_out>& sub) {
    std::set<std::uint32_t> seen;
    std::uint64_t duplicates = 0, seal_drops_before = 0;
    bool ready = false, counting = false;
    auto seal_drops = [&] {
      std::uint64_t n = 0;
      for (auto const& [name, count] : sub.events().counters())
        if (name.starts_with("seal.")) n += count;
      return n;
    };
    while (seen.size() < quote_count && !env.stop_requested()) {
      auto q = sub.receive<quote>();
      if (!q) continue;
      if (!ready) {
        env.mark_ready();
        ready = true;
      }
      if (q->value.sequence == 0) continue;  // warm-up
      if (!counting) {
        // Warm-up quotes sealed before a subscriber's first announcement
        // arrived are refused (seal.unknown_epoch). The publisher sends the
        // first real quote once every subscriber opened one, so from here
        // none may be refused. (Counted from here, not from this
        // subscriber's own first quote: replicas in one process share the
        // context's counters.)
        seal_drops_before = seal_drops();
        counting = true;
      }
      if (!seen.insert(q->value.sequence).second) ++duplicates;
    }
    env.report("received", seen.size());
    env.report("duplicates", duplicates);
    env.report("verify_drops", sub.events().count("verify.bad_signature") + sub.events().count("verify.unknown_key"));
    env.report("seal_drops", seal_drops() - seal_drops_before);
  }
};

using pipeline = zg::pipeline<publisher, forwarder, subscriber>;
// The pipeline checks the types signed_publisher and signed_subscriber run,
// sealed as the links say.
static_assert(std::is_same_v<publisher::socket_on<quotes_in>, publisher_socket<eur_quotes, market_sealing>> &&
              std::is_same_v<subscriber::socket_on<quotes_out>, subscriber_socket<eur_quotes, market_sealing>>);

}  // namespace market_example

int main(int argc, char** argv) { return market_example::pipeline::main(argc, argv); }
