// zguard/limits.hpp - queue limits and timeouts as types (G5, G6).
//
// A socket's limits are one zguard::limits<...> of the tags below, in any
// order. Each tag fills its own slot; zguard::socket requires the slots its
// transport and pattern need and names any that is missing. Values are
// compile-time so that a schema larger than max_message_size cannot compile,
// and each has a lower and an upper bound (limit_tags.hpp; docs/bounds.md).
// Only these tags count: a derived or hand-written one is refused. The
// fixed tags are in limit_tags.hpp, the connection tags (heartbeat,
// reconnect, tcp_keepalive, connect_timeout_ms, immediate, conflate) in
// connection.hpp. The HWMs, linger and the send and receive timeouts also
// have ranged twins (send_hwm_in<Lo, Hi>, ...) whose value is chosen at
// start-up within the range: ranged_limits.hpp (with runtime_limits),
// docs/configuration.md. This header includes them all, and the values a
// socket applies (detail/limit_values.hpp).
#pragma once

#include <type_traits>

#include <zguard/connection.hpp>
#include <zguard/detail/closed.hpp>
#include <zguard/detail/limit_values.hpp>
#include <zguard/limit_tags.hpp>
#include <zguard/ranged_limits.hpp>
#include <zguard/slots.hpp>

namespace zguard {
inline namespace v0 {

namespace detail {
// Which limit slot a tag fills: only the tags of limit_tags.hpp,
// ranged_limits.hpp and connection.hpp, by exact type. A type derived from
// one, or written by hand with the same members, fills none, so it cannot
// change a limit; closed (detail/closed.hpp), so no specialization can add
// one.
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
  template <int RLo, int RHi, int BLo, int BHi>
  static limit_slot::per_peer_rate of(per_peer_rate_in<RLo, RHi, BLo, BHi>**);
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
}  // namespace detail

// LimitTag: one of zguard's own limit tags (exactly; not a derived or
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
                "per_peer_rate_in, heartbeat, reconnect, tcp_keepalive, connect_timeout_ms, immediate, conflate); "
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
                "zguard::limits<...>: per_peer_rate given twice (per_peer_rate<R, B> and per_peer_rate_in<...> fill "
                "the same slot: keep one)");
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

}  // namespace v0
}  // namespace zguard
