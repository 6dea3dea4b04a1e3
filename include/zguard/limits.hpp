// zguard/limits.hpp - queue limits and timeouts as types (G5, G6).
//
// A socket's limits are one zguard::limits<...> of the tags below, in any
// order. Each tag fills its own slot; zguard::socket requires the slots its
// transport and pattern need and names any that is missing. Values are
// compile-time so that a schema larger than max_message_size cannot compile,
// and each has a lower and an upper bound (below; docs/bounds.md). Only
// these tags count: a derived or hand-written one is refused. The
// connection tags (heartbeat, reconnect, tcp_keepalive, connect_timeout_ms,
// immediate, conflate) are in connection.hpp.
#pragma once

#include <cstdint>
#include <string_view>
#include <type_traits>

#include <zguard/connection.hpp>
#include <zguard/slots.hpp>

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

// Optional (G14): each authenticated peer (ZAP User-Id; for NULL sockets the
// peer address) may deliver PerSecond messages a second on average, Burst at
// once (a token bucket). Excess messages are refused before any decoding or
// signature check: a REP or ROUTER answers zguard.refusal ("rate limited"),
// other patterns drop them; each is a "rate.limited" event. Other peers are
// not slowed.
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

namespace detail {
struct no_limit {
  static constexpr std::int64_t value = -1;
  static constexpr std::int64_t burst = 0;
  static constexpr bool blocks = false;
  static constexpr std::string_view name = "none";
};
// Which limit slot a tag fills: only the tags above, by exact type. A type
// derived from one, or written by hand with the same members, fills none (a
// partial specialization does not match a derived class), so it cannot
// change a limit.
template <class T>
struct limit_slot_of {
  using type = void;
};
template <int N>
struct limit_slot_of<send_hwm<N>> {
  using type = limit_slot::send_hwm;
};
template <int N>
struct limit_slot_of<recv_hwm<N>> {
  using type = limit_slot::recv_hwm;
};
template <std::int64_t N>
struct limit_slot_of<max_message_size<N>> {
  using type = limit_slot::max_message_size;
};
template <int Ms>
struct limit_slot_of<linger_ms<Ms>> {
  using type = limit_slot::linger;
};
template <int Ms>
struct limit_slot_of<send_timeout_ms<Ms>> {
  using type = limit_slot::send_timeout;
};
template <int Ms>
struct limit_slot_of<recv_timeout_ms<Ms>> {
  using type = limit_slot::recv_timeout;
};
template <int Ms>
struct limit_slot_of<handshake_timeout_ms<Ms>> {
  using type = limit_slot::handshake_timeout;
};
template <int R, int B>
struct limit_slot_of<per_peer_rate<R, B>> {
  using type = limit_slot::per_peer_rate;
};
template <>
struct limit_slot_of<drop_when_full> {
  using type = limit_slot::overflow;
};
template <>
struct limit_slot_of<block_when_full> {
  using type = limit_slot::overflow;
};
template <int I, int T, int Ttl>
struct limit_slot_of<heartbeat<I, T, Ttl>> {
  using type = limit_slot::heartbeat;
};
template <int I, int M>
struct limit_slot_of<reconnect<I, M>> {
  using type = limit_slot::reconnect;
};
template <int Idle, int Intvl, int Cnt>
struct limit_slot_of<tcp_keepalive<Idle, Intvl, Cnt>> {
  using type = limit_slot::tcp_keepalive;
};
template <int Ms>
struct limit_slot_of<connect_timeout_ms<Ms>> {
  using type = limit_slot::connect_timeout;
};
template <>
struct limit_slot_of<immediate> {
  using type = limit_slot::immediate;
};
template <>
struct limit_slot_of<conflate> {
  using type = limit_slot::conflate;
};

template <class Slot, class... Ls>
struct find_limit {
  using type = no_limit;
};
template <class Slot, class L, class... Ls>
struct find_limit<Slot, L, Ls...> {
  using type = std::conditional_t<std::is_same_v<typename limit_slot_of<L>::type, Slot>, L,
                                  typename find_limit<Slot, Ls...>::type>;
};
template <class Slot, class... Ls>
inline constexpr int count_limit = (0 + ... + int(std::is_same_v<typename limit_slot_of<Ls>::type, Slot>));

template <class T>
inline constexpr bool is_limits = false;
}  // namespace detail

// LimitTag: one of zguard's own limit tags above (exactly; not a derived or
// look-alike type).
template <class T>
concept LimitTag = !std::is_void_v<typename detail::limit_slot_of<T>::type>;

template <class... Ls>
struct limits {
  static_assert((LimitTag<Ls> && ...),
                "zguard::limits<...>: every argument must be one of zguard's limit tags "
                "(send_hwm, recv_hwm, max_message_size, linger_ms, send_timeout_ms, "
                "recv_timeout_ms, handshake_timeout_ms, drop_when_full, block_when_full, per_peer_rate, "
                "heartbeat, reconnect, tcp_keepalive, connect_timeout_ms, immediate, conflate); "
                "derived or hand-written tags are refused");
  // Completes every tag, so each checks its own bounds even when its value
  // is never read.
  static_assert(((sizeof(Ls) > 0) && ...));
  using zguard_slot = slot::limits;

  template <class Slot>
  static constexpr bool has = detail::count_limit<Slot, Ls...> > 0;
  template <class Slot>
  using get = typename detail::find_limit<Slot, Ls...>::type;

  static_assert(detail::count_limit<limit_slot::send_hwm, Ls...> <= 1, "zguard::limits<...>: send_hwm given twice");
  static_assert(detail::count_limit<limit_slot::recv_hwm, Ls...> <= 1, "zguard::limits<...>: recv_hwm given twice");
  static_assert(detail::count_limit<limit_slot::overflow, Ls...> <= 1,
                "zguard::limits<...>: overflow policy given twice (drop_when_full / block_when_full)");
  static_assert(detail::count_limit<limit_slot::max_message_size, Ls...> <= 1,
                "zguard::limits<...>: max_message_size given twice");
  static_assert(detail::count_limit<limit_slot::linger, Ls...> <= 1, "zguard::limits<...>: linger_ms given twice");
  static_assert(detail::count_limit<limit_slot::send_timeout, Ls...> <= 1,
                "zguard::limits<...>: send_timeout_ms given twice");
  static_assert(detail::count_limit<limit_slot::recv_timeout, Ls...> <= 1,
                "zguard::limits<...>: recv_timeout_ms given twice");
  static_assert(detail::count_limit<limit_slot::handshake_timeout, Ls...> <= 1,
                "zguard::limits<...>: handshake_timeout_ms given twice");
  static_assert(detail::count_limit<limit_slot::per_peer_rate, Ls...> <= 1,
                "zguard::limits<...>: per_peer_rate given twice");
  static_assert(detail::count_limit<limit_slot::heartbeat, Ls...> <= 1, "zguard::limits<...>: heartbeat given twice");
  static_assert(detail::count_limit<limit_slot::reconnect, Ls...> <= 1, "zguard::limits<...>: reconnect given twice");
  static_assert(detail::count_limit<limit_slot::tcp_keepalive, Ls...> <= 1,
                "zguard::limits<...>: tcp_keepalive given twice");
  static_assert(detail::count_limit<limit_slot::connect_timeout, Ls...> <= 1,
                "zguard::limits<...>: connect_timeout_ms given twice");
  static_assert(detail::count_limit<limit_slot::immediate, Ls...> <= 1, "zguard::limits<...>: immediate given twice");
  static_assert(detail::count_limit<limit_slot::conflate, Ls...> <= 1, "zguard::limits<...>: conflate given twice");

  static constexpr std::int64_t send_hwm = get<limit_slot::send_hwm>::value;
  static constexpr std::int64_t recv_hwm = get<limit_slot::recv_hwm>::value;
  static constexpr std::int64_t max_message_size = get<limit_slot::max_message_size>::value;
  static constexpr std::int64_t linger = get<limit_slot::linger>::value;
  static constexpr std::int64_t send_timeout = get<limit_slot::send_timeout>::value;
  static constexpr std::int64_t recv_timeout = get<limit_slot::recv_timeout>::value;
  static constexpr std::int64_t handshake_timeout = get<limit_slot::handshake_timeout>::value;
  static constexpr bool blocks_when_full = get<limit_slot::overflow>::blocks;
  static constexpr bool rate_limited = has<limit_slot::per_peer_rate>;
  static constexpr std::int64_t rate_per_second = get<limit_slot::per_peer_rate>::value;
  static constexpr std::int64_t rate_burst = get<limit_slot::per_peer_rate>::burst;
};

namespace detail {
template <class... Ls>
inline constexpr bool is_limits<limits<Ls...>> = true;
}  // namespace detail

// Limits: a zguard::limits<...> (exactly; not a derived or look-alike type).
template <class T>
concept Limits = detail::is_limits<T>;

}  // namespace v0
}  // namespace zguard
