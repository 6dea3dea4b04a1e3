// zguard/pattern.hpp - socket patterns as types.
//
// A pattern says which libzmq socket type it is, which operations exist on it
// (sub.send() does not compile), what libzmq does when its queue is full, and
// which patterns it may talk to (ZeroMQ RFC 23 / 28 / 29 / 30 / 31).
#pragma once

#include <zmq.h>

#include <string_view>
#include <type_traits>

#include <zguard/detail/closed.hpp>
#include <zguard/slots.hpp>

namespace zguard {
inline namespace v0 {

// What libzmq does at the send high-water mark for this socket type.
enum class when_full { drops, blocks, drops_or_errors };

#define ZGUARD_PATTERN(NAME, TYPE, TEXT, SEND, RECV, FULL)   \
  struct NAME {                                              \
    using zguard_slot = slot::pattern;                       \
    static constexpr int zmq_type = TYPE;                    \
    static constexpr std::string_view name = TEXT;           \
    static constexpr bool can_send = SEND;                   \
    static constexpr bool can_recv = RECV;                   \
    static constexpr when_full full = when_full::FULL;       \
  };

ZGUARD_PATTERN(req, ZMQ_REQ, "REQ", true, true, blocks)
ZGUARD_PATTERN(rep, ZMQ_REP, "REP", true, true, blocks)
ZGUARD_PATTERN(dealer, ZMQ_DEALER, "DEALER", true, true, blocks)
// ROUTER drops unroutable/over-HWM messages, or errors with ROUTER_MANDATORY.
ZGUARD_PATTERN(router, ZMQ_ROUTER, "ROUTER", true, true, drops_or_errors)
ZGUARD_PATTERN(pub, ZMQ_PUB, "PUB", true, false, drops)
ZGUARD_PATTERN(sub, ZMQ_SUB, "SUB", false, true, drops)
// XPUB receives subscriptions, XSUB sends them.
ZGUARD_PATTERN(xpub, ZMQ_XPUB, "XPUB", true, true, drops)
ZGUARD_PATTERN(xsub, ZMQ_XSUB, "XSUB", true, true, drops)
ZGUARD_PATTERN(push, ZMQ_PUSH, "PUSH", true, false, blocks)
ZGUARD_PATTERN(pull, ZMQ_PULL, "PULL", false, true, blocks)
ZGUARD_PATTERN(pair, ZMQ_PAIR, "PAIR", true, true, blocks)
#undef ZGUARD_PATTERN

namespace detail {
// Exactly the tags above are patterns; derived or look-alike types are not.
// Closed (detail/closed.hpp): no specialization can add a type.
struct pattern_tags {
  static consteval bool of(...) { return false; }
  static consteval bool of(req**) { return true; }
  static consteval bool of(rep**) { return true; }
  static consteval bool of(dealer**) { return true; }
  static consteval bool of(router**) { return true; }
  static consteval bool of(pub**) { return true; }
  static consteval bool of(sub**) { return true; }
  static consteval bool of(xpub**) { return true; }
  static consteval bool of(xsub**) { return true; }
  static consteval bool of(push**) { return true; }
  static consteval bool of(pull**) { return true; }
  static consteval bool of(pair**) { return true; }
};
template <class P>
concept is_pattern_tag = closed_member<pattern_tags, P>;
}  // namespace detail

// Pattern: one of the tags above, exactly.
//   semantics: zmq_type is passed to zmq_socket; can_send/can_recv decide
//   which member functions exist; full is libzmq's behaviour at the HWM.
template <class P>
concept Pattern = detail::is_pattern_tag<P>;

template <class P>
concept SendingPattern = Pattern<P> && P::can_send;
template <class P>
concept ReceivingPattern = Pattern<P> && P::can_recv;

namespace detail {
template <class A, class B>
constexpr bool pattern_pair_one_way =
    (std::is_same_v<A, req> && (std::is_same_v<B, rep> || std::is_same_v<B, router>)) ||
    (std::is_same_v<A, dealer> &&
     (std::is_same_v<B, rep> || std::is_same_v<B, dealer> || std::is_same_v<B, router>)) ||
    (std::is_same_v<A, router> && std::is_same_v<B, router>) ||
    ((std::is_same_v<A, pub> || std::is_same_v<A, xpub>) &&
     (std::is_same_v<B, sub> || std::is_same_v<B, xsub>)) ||
    (std::is_same_v<A, push> && std::is_same_v<B, pull>) ||
    (std::is_same_v<A, pair> && std::is_same_v<B, pair>);
}  // namespace detail

// Whether libzmq lets a socket of pattern A talk to one of pattern B.
template <class A, class B>
inline constexpr bool compatible_patterns =
    detail::pattern_pair_one_way<A, B> || detail::pattern_pair_one_way<B, A>;

}  // namespace v0
}  // namespace zguard
