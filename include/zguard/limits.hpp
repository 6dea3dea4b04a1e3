// zguard/limits.hpp - queue limits and timeouts as types (G5, G6).
//
// A socket's limits are one zguard::limits<...> of the tags below, in any
// order. Each tag fills its own slot; zguard::socket requires the slots its
// transport and pattern need and names any that is missing. Values are
// compile-time so that a schema larger than max_message_size cannot compile,
// and each has a lower and an upper bound (below; docs/bounds.md). Only
// these tags count: a derived or hand-written one is refused. The
// connection tags (heartbeat, reconnect, tcp_keepalive, connect_timeout_ms,
// immediate, conflate) are in connection.hpp. The HWMs, linger and the send
// and receive timeouts also have ranged twins (send_hwm_in<Lo, Hi>, ...)
// whose value is chosen at start-up within the range: runtime_limits below,
// docs/configuration.md.
#pragma once

#include <zguard/detail/compiled.hpp>

#include <array>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>

#include <zguard/connection.hpp>
#include <zguard/detail/closed.hpp>
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

// Ranged twins: the type declares the range, a configuration file (or the
// program) picks the value at start-up, passed as a zguard::runtime_limits
// constructor argument and checked against [Lo, Hi] before any option is
// set (docs/configuration.md). Lo and Hi obey the fixed tag's bounds. There
// is no max_message_size_in: the size rules (schema, batch, CURVE handshake,
// pipeline links) would need Lo on the receiving side and Hi on the sending
// side of one number, so it stays a type.
namespace detail {
template <class Slot, std::int64_t Lo, std::int64_t Hi>
struct limit_range {
  using limit = Slot;
  static constexpr std::int64_t lo = Lo;
  static constexpr std::int64_t hi = Hi;
  // Compile-time stand-in (the largest value the socket may be given): what
  // limits<...>::send_timeout etc. hold for a ranged slot.
  static constexpr std::int64_t value = Hi;
  static constexpr bool ranged = true;
};
}  // namespace detail
template <int Lo, int Hi>
struct send_hwm_in : detail::limit_range<limit_slot::send_hwm, Lo, Hi> {
  static_assert(Lo <= Hi, "zguard::send_hwm_in<Lo, Hi>: Lo must be <= Hi");
  static_assert(Lo > 0 && Hi <= bounds::max_hwm,
                "zguard::send_hwm_in<Lo, Hi>: Lo must be > 0 (0 means unlimited in libzmq) and Hi <= 10000000: "
                "range 1..10000000");
};
template <int Lo, int Hi>
struct recv_hwm_in : detail::limit_range<limit_slot::recv_hwm, Lo, Hi> {
  static_assert(Lo <= Hi, "zguard::recv_hwm_in<Lo, Hi>: Lo must be <= Hi");
  static_assert(Lo > 0 && Hi <= bounds::max_hwm,
                "zguard::recv_hwm_in<Lo, Hi>: Lo must be > 0 (0 means unlimited in libzmq) and Hi <= 10000000: "
                "range 1..10000000");
};
template <int Lo, int Hi>
struct linger_ms_in : detail::limit_range<limit_slot::linger, Lo, Hi> {
  static_assert(Lo <= Hi, "zguard::linger_ms_in<Lo, Hi>: Lo must be <= Hi");
  static_assert(Lo >= 0 && Hi <= bounds::max_linger_ms,
                "zguard::linger_ms_in<Lo, Hi>: Lo must be >= 0 (-1 would block context shutdown forever) and "
                "Hi <= 60000: range 0..60000 ms");
};
template <int Lo, int Hi>
struct send_timeout_ms_in : detail::limit_range<limit_slot::send_timeout, Lo, Hi> {
  static_assert(Lo <= Hi, "zguard::send_timeout_ms_in<Lo, Hi>: Lo must be <= Hi");
  static_assert(Lo >= 0 && Hi <= bounds::max_timeout_ms,
                "zguard::send_timeout_ms_in<Lo, Hi>: Lo must be >= 0 (-1 would block forever) and Hi <= 600000: "
                "range 0..600000 ms");
};
template <int Lo, int Hi>
struct recv_timeout_ms_in : detail::limit_range<limit_slot::recv_timeout, Lo, Hi> {
  static_assert(Lo <= Hi, "zguard::recv_timeout_ms_in<Lo, Hi>: Lo must be <= Hi");
  static_assert(Lo >= 0 && Hi <= bounds::max_timeout_ms,
                "zguard::recv_timeout_ms_in<Lo, Hi>: Lo must be >= 0 (-1 would block forever) and Hi <= 600000: "
                "range 0..600000 ms");
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

namespace detail {
struct no_limit {
  static constexpr std::int64_t value = -1;
  static constexpr std::int64_t burst = 0;
  static constexpr bool blocks = false;
  static constexpr std::string_view name = "none";
};
// Which limit slot a tag fills: only the tags above, by exact type. A type
// derived from one, or written by hand with the same members, fills none, so
// it cannot change a limit; closed (detail/closed.hpp), so no specialization
// can add one.
struct limit_slots {
  static void of(...);
  template <int N>
  static limit_slot::send_hwm of(send_hwm<N>**);
  template <int N>
  static limit_slot::recv_hwm of(recv_hwm<N>**);
  template <std::int64_t N>
  static limit_slot::max_message_size of(max_message_size<N>**);
  template <int Ms>
  static limit_slot::linger of(linger_ms<Ms>**);
  template <int Ms>
  static limit_slot::send_timeout of(send_timeout_ms<Ms>**);
  template <int Ms>
  static limit_slot::recv_timeout of(recv_timeout_ms<Ms>**);
  template <int Lo, int Hi>
  static limit_slot::send_hwm of(send_hwm_in<Lo, Hi>**);
  template <int Lo, int Hi>
  static limit_slot::recv_hwm of(recv_hwm_in<Lo, Hi>**);
  template <int Lo, int Hi>
  static limit_slot::linger of(linger_ms_in<Lo, Hi>**);
  template <int Lo, int Hi>
  static limit_slot::send_timeout of(send_timeout_ms_in<Lo, Hi>**);
  template <int Lo, int Hi>
  static limit_slot::recv_timeout of(recv_timeout_ms_in<Lo, Hi>**);
  template <int Ms>
  static limit_slot::handshake_timeout of(handshake_timeout_ms<Ms>**);
  template <int R, int B>
  static limit_slot::per_peer_rate of(per_peer_rate<R, B>**);
  static limit_slot::overflow of(drop_when_full**);
  static limit_slot::overflow of(block_when_full**);
  template <int I, int T, int Ttl>
  static limit_slot::heartbeat of(heartbeat<I, T, Ttl>**);
  template <int I, int M>
  static limit_slot::reconnect of(reconnect<I, M>**);
  template <int Idle, int Intvl, int Cnt>
  static limit_slot::tcp_keepalive of(tcp_keepalive<Idle, Intvl, Cnt>**);
  template <int Ms>
  static limit_slot::connect_timeout of(connect_timeout_ms<Ms>**);
  static limit_slot::immediate of(immediate**);
  static limit_slot::conflate of(conflate**);
};
template <class T>
using limit_slot_of = decltype(limit_slots::of(static_cast<T**>(nullptr)));

template <class Slot, class... Ls>
struct find_limit {
  using type = no_limit;
};
template <class Slot, class L, class... Ls>
struct find_limit<Slot, L, Ls...> {
  using type = std::conditional_t<std::is_same_v<limit_slot_of<L>, Slot>, L,
                                  typename find_limit<Slot, Ls...>::type>;
};
template <class Slot, class... Ls>
inline constexpr int count_limit = (0 + ... + int(std::is_same_v<limit_slot_of<Ls>, Slot>));

// A tag whose value is chosen at start-up (a *_in<Lo, Hi> tag); only read
// of zguard's own tags.
template <class T>
concept is_ranged_limit = requires { requires T::ranged; };
}  // namespace detail

// LimitTag: one of zguard's own limit tags above (exactly; not a derived or
// look-alike type).
template <class T>
concept LimitTag = !std::is_void_v<detail::limit_slot_of<T>>;

template <class... Ls>
struct limits {
  static_assert((LimitTag<Ls> && ...),
                "zguard::limits<...>: every argument must be one of zguard's limit tags "
                "(send_hwm, recv_hwm, max_message_size, linger_ms, send_timeout_ms, "
                "recv_timeout_ms, their ranged twins send_hwm_in, recv_hwm_in, linger_ms_in, send_timeout_ms_in, "
                "recv_timeout_ms_in, handshake_timeout_ms, drop_when_full, block_when_full, per_peer_rate, "
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

  static_assert(detail::count_limit<limit_slot::send_hwm, Ls...> <= 1, "zguard::limits<...>: send_hwm given twice (send_hwm<N> and send_hwm_in<Lo, Hi> fill the same slot: keep one)");
  static_assert(detail::count_limit<limit_slot::recv_hwm, Ls...> <= 1, "zguard::limits<...>: recv_hwm given twice (recv_hwm<N> and recv_hwm_in<Lo, Hi> fill the same slot: keep one)");
  static_assert(detail::count_limit<limit_slot::overflow, Ls...> <= 1,
                "zguard::limits<...>: overflow policy given twice (drop_when_full / block_when_full)");
  static_assert(detail::count_limit<limit_slot::max_message_size, Ls...> <= 1,
                "zguard::limits<...>: max_message_size given twice");
  static_assert(detail::count_limit<limit_slot::linger, Ls...> <= 1, "zguard::limits<...>: linger_ms given twice (linger_ms<N> and linger_ms_in<Lo, Hi> fill the same slot: keep one)");
  static_assert(detail::count_limit<limit_slot::send_timeout, Ls...> <= 1,
                "zguard::limits<...>: send_timeout_ms given twice (send_timeout_ms<N> and send_timeout_ms_in<Lo, Hi> fill the same slot: keep one)");
  static_assert(detail::count_limit<limit_slot::recv_timeout, Ls...> <= 1,
                "zguard::limits<...>: recv_timeout_ms given twice (recv_timeout_ms<N> and recv_timeout_ms_in<Lo, Hi> fill the same slot: keep one)");
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
  // Whether a slot's value is chosen at start-up (a *_in<Lo, Hi> tag).
  template <class Slot>
  static constexpr bool ranged = detail::is_ranged_limit<get<Slot>>;
  static constexpr bool has_ranged = (detail::is_ranged_limit<Ls> || ...);
};

namespace detail {
// Closed (detail/closed.hpp): a type derived from limits<...> can hide its
// values (max_message_size = 1 TB), and no specialization can admit one.
struct limits_types {
  static consteval bool of(...) { return false; }
  template <class... Ls>
  static consteval bool of(limits<Ls...>**) { return true; }
};
template <class T>
concept is_limits = closed_member<limits_types, T>;
}  // namespace detail

// Limits: a zguard::limits<...> (exactly; not a derived or look-alike type).
template <class T>
concept Limits = detail::is_limits<T>;

// The values a socket with ranged limit tags (*_in<Lo, Hi>) is given at
// start-up: one for each ranged tag it declares, none for any other slot (a
// value for a fixed or undeclared slot is refused, so a misplaced setting
// never passes silently). Passed right after the mechanism's constructor
// arguments; zguard::config::limits_for<Socket> reads one from a file.
// `source` names where the values came from, for error messages.
struct runtime_limits {
  std::optional<std::int64_t> send_hwm{};
  std::optional<std::int64_t> recv_hwm{};
  std::optional<std::int64_t> linger_ms{};
  std::optional<std::int64_t> send_timeout_ms{};
  std::optional<std::int64_t> recv_timeout_ms{};
  std::string source = "zguard::runtime_limits";
};

// A runtime_limits value missing, out of its type's range, or given for a
// slot the type does not make configurable. Thrown by the socket's
// constructor, before any option is set.
struct runtime_limit_error : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

namespace detail {
// The five numbers a socket sets at construction and checks at every bind
// and connect: the declared value of a fixed tag, the chosen one of a
// ranged tag.
struct limit_values {
  std::int64_t send_hwm, recv_hwm, linger_ms, send_timeout_ms, recv_timeout_ms;
};
template <class Slot>
struct runtime_key;
#define ZGUARD_RUNTIME_KEY(SLOT, KEY)                                  \
  template <>                                                          \
  struct runtime_key<limit_slot::SLOT> {                               \
    static constexpr std::string_view name = #KEY;                     \
    static constexpr auto chosen = &runtime_limits::KEY;               \
    static constexpr auto value = &limit_values::KEY;                  \
  };
ZGUARD_RUNTIME_KEY(send_hwm, send_hwm)
ZGUARD_RUNTIME_KEY(recv_hwm, recv_hwm)
ZGUARD_RUNTIME_KEY(linger, linger_ms)
ZGUARD_RUNTIME_KEY(send_timeout, send_timeout_ms)
ZGUARD_RUNTIME_KEY(recv_timeout, recv_timeout_ms)
#undef ZGUARD_RUNTIME_KEY

// f(runtime_key<Slot>, tag) for each slot a runtime_limits can carry.
template <class L, class F>
constexpr void for_each_runtime_slot(F&& f) {
  f(runtime_key<limit_slot::send_hwm>{}, typename L::template get<limit_slot::send_hwm>{});
  f(runtime_key<limit_slot::recv_hwm>{}, typename L::template get<limit_slot::recv_hwm>{});
  f(runtime_key<limit_slot::linger>{}, typename L::template get<limit_slot::linger>{});
  f(runtime_key<limit_slot::send_timeout>{}, typename L::template get<limit_slot::send_timeout>{});
  f(runtime_key<limit_slot::recv_timeout>{}, typename L::template get<limit_slot::recv_timeout>{});
}

// One of those five slots of a limits<...> as values, so that the code
// checking and describing them is written once, not once per socket type.
struct slot_rule {
  std::string_view key;                              // its runtime_limits key, e.g. "send_hwm"
  std::optional<std::int64_t> runtime_limits::*chosen;
  std::int64_t limit_values::*applied;
  bool ranged;                                       // a *_in<Lo, Hi> tag: the value is chosen at start-up
  bool declared;                                     // false: the socket type declares no such limit
  std::int64_t value, lo, hi;                        // a fixed tag's value; a ranged tag's range
};
template <class L>
constexpr std::array<slot_rule, 5> slot_rules() {
  std::array<slot_rule, 5> rules{};
  std::size_t i = 0;
  for_each_runtime_slot<L>([&]<class K, class Tag>(K, Tag) {
    slot_rule r{K::name, K::chosen, K::value, is_ranged_limit<Tag>, !std::is_same_v<Tag, no_limit>, Tag::value, 0, 0};
    if constexpr (is_ranged_limit<Tag>) r.lo = Tag::lo, r.hi = Tag::hi;
    rules[i++] = r;
  });
  return rules;
}
template <class L>
inline constexpr std::array<slot_rule, 5> slot_rules_of = slot_rules<L>();

// "100..10000": a ranged slot's range.
ZGUARD_DECL std::string range_text(slot_rule const& r);

// Why `value` is refused for the slot `r` (named `key` in the sentence), or
// "" when it is fine.
ZGUARD_DECL std::string runtime_value_problem(std::string_view key, std::optional<std::int64_t> value,
                                              slot_rule const& r);

// The values a socket with these slots applies: checked against their ranges.
ZGUARD_DECL limit_values choose_limits(std::array<slot_rule, 5> const& rules, runtime_limits const& chosen);
template <class L>
limit_values choose_limits(runtime_limits const& chosen) {
  return choose_limits(slot_rules_of<L>, chosen);
}
template <class L>
constexpr limit_values fixed_limits() {
  return {L::send_hwm, L::recv_hwm, L::linger, L::send_timeout, L::recv_timeout};
}
}  // namespace detail

}  // namespace v0
}  // namespace zguard

#if !defined(ZGUARD_SEPARATE_COMPILATION)
#include <zguard/impl/limits.ipp>
#endif
