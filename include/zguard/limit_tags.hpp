// zguard/limit_tags.hpp - the fixed limit tags of zguard::limits<...>
// (G5, G6): the slot each fills, the bounds of each value, the overflow
// policies and the stand-in for a slot no tag fills.
//
// Apart from limits.hpp (which includes it) because the ranged twins
// (ranged_limits.hpp) fill the same slots under the same bounds, and the
// set limits<...> admits both: the tags sit below the set.
#pragma once

#include <cstdint>
#include <string_view>

namespace zguard {
inline namespace v0 {

namespace limit_slot {
struct send_hwm {};
struct recv_hwm {};
struct overflow {};
struct max_message_size {};
struct linger {};
struct send_timeout {};
struct recv_timeout {};
struct handshake_timeout {};
struct per_peer_rate {};
}  // namespace limit_slot

namespace detail {
template <class Slot, std::int64_t V>
struct limit_value {
  using limit = Slot;
  static constexpr std::int64_t value = V;
};
}  // namespace detail

// Every value has a lower and an upper bound (docs/bounds.md): a number a
// reviewer would not accept does not compile.
//   send_hwm, recv_hwm            1 .. 10'000'000 messages
//   max_message_size              1 .. 268'435'456 bytes (256 MiB)
//   linger_ms                     0 .. 60'000
//   send_timeout_ms, recv_timeout_ms  0 .. 600'000 (10 min)
//   handshake_timeout_ms          1 .. 60'000
//   per_peer_rate<PerSecond, Burst>   1 .. 1'000'000 each
namespace bounds {
inline constexpr std::int64_t max_hwm = 10'000'000;
inline constexpr std::int64_t max_message_size = std::int64_t(256) << 20;
inline constexpr std::int64_t max_linger_ms = 60'000;
inline constexpr std::int64_t max_timeout_ms = 600'000;
inline constexpr std::int64_t max_handshake_timeout_ms = 60'000;
inline constexpr std::int64_t max_rate = 1'000'000;
}  // namespace bounds

// ZMQ_SNDHWM / ZMQ_RCVHWM in messages. 0 would mean "unlimited" to libzmq,
// so it is refused.
template <int N>
struct send_hwm : detail::limit_value<limit_slot::send_hwm, N> {
  static_assert(N > 0 && N <= bounds::max_hwm,
                "zguard::send_hwm<N>: N must be > 0 (0 means unlimited in libzmq) and <= 10000000: range 1..10000000");
};
template <int N>
struct recv_hwm : detail::limit_value<limit_slot::recv_hwm, N> {
  static_assert(N > 0 && N <= bounds::max_hwm,
                "zguard::recv_hwm<N>: N must be > 0 (0 means unlimited in libzmq) and <= 10000000: range 1..10000000");
};

// ZMQ_MAXMSGSIZE in bytes: a peer that sends a larger frame is disconnected.
template <std::int64_t N>
struct max_message_size : detail::limit_value<limit_slot::max_message_size, N> {
  static_assert(N > 0 && N <= bounds::max_message_size,
                "zguard::max_message_size<N>: N must be > 0 (-1 means unlimited in libzmq) and <= 256 MiB: "
                "range 1..268435456 bytes");
};

// Timeouts in milliseconds. -1 (infinite) is refused: nothing waits forever.
template <int Ms>
struct linger_ms : detail::limit_value<limit_slot::linger, Ms> {
  static_assert(Ms >= 0 && Ms <= bounds::max_linger_ms,
                "zguard::linger_ms<Ms>: Ms must be >= 0 (-1 would block context shutdown forever) and <= 60000: "
                "range 0..60000 ms");
};
template <int Ms>
struct send_timeout_ms : detail::limit_value<limit_slot::send_timeout, Ms> {
  static_assert(Ms >= 0 && Ms <= bounds::max_timeout_ms,
                "zguard::send_timeout_ms<Ms>: Ms must be >= 0 (-1 would block forever) and <= 600000: "
                "range 0..600000 ms");
};
template <int Ms>
struct recv_timeout_ms : detail::limit_value<limit_slot::recv_timeout, Ms> {
  static_assert(Ms >= 0 && Ms <= bounds::max_timeout_ms,
                "zguard::recv_timeout_ms<Ms>: Ms must be >= 0 (-1 would block forever) and <= 600000: "
                "range 0..600000 ms");
};
template <int Ms>
struct handshake_timeout_ms : detail::limit_value<limit_slot::handshake_timeout, Ms> {
  static_assert(Ms > 0 && Ms <= bounds::max_handshake_timeout_ms,
                "zguard::handshake_timeout_ms<Ms>: Ms must be > 0 (0 disables the handshake timeout) and <= 60000 "
                "(a silent peer holds a connection that long): range 1..60000 ms");
};

// Optional (G14): each peer (its ZAP User-Id; on NULL sockets its IP on tcp,
// its OS user on ipc: detail::rate_peer) may deliver PerSecond messages a
// second on average, Burst at once (a token bucket); a batch of n messages
// costs n. Excess messages are refused before any decoding or signature
// check: a REP or ROUTER answers zguard.refusal ("rate limited"), other
// patterns drop them; each is a "rate.limited" event. Other peers are not
// slowed.
template <int PerSecond, int Burst>
struct per_peer_rate : detail::limit_value<limit_slot::per_peer_rate, PerSecond> {
  static_assert(PerSecond > 0 && Burst > 0 && PerSecond <= bounds::max_rate && Burst <= bounds::max_rate,
                "zguard::per_peer_rate<PerSecond, Burst>: both must be > 0 and <= 1000000: range 1..1000000");
  static constexpr std::int64_t burst = Burst;
};

// What happens at the send HWM. Must match what libzmq does for the pattern:
// PUB/SUB/XPUB/XSUB drop; REQ/REP/DEALER/PUSH/PULL/PAIR block (bounded by
// send_timeout_ms); ROUTER drops, or with block_when_full sets
// ROUTER_MANDATORY and reports unroutable or full peers as send errors.
struct drop_when_full {
  using limit = limit_slot::overflow;
  static constexpr bool blocks = false;
  static constexpr std::string_view name = "drop";
};
struct block_when_full {
  using limit = limit_slot::overflow;
  static constexpr bool blocks = true;
  static constexpr std::string_view name = "block (bounded by send timeout)";
};

// What limits<...>::get<Slot> is for a slot no tag fills.
namespace detail {
struct no_limit {
  static constexpr std::int64_t value = -1;
  static constexpr std::int64_t burst = 0;
  static constexpr bool blocks = false;
  static constexpr std::string_view name = "none";
};
}  // namespace detail

}  // namespace v0
}  // namespace zguard
