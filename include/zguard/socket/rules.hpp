// zguard/socket/rules.hpp - the rules a socket type must keep (G1, G2, G5,
// G6, G10, G12), checked at compile time: one `if constexpr` chain over
// the required slots and the channel. The optional parts' rules are in
// socket/part_rules.hpp, the constructor arguments' in
// socket/argument_rules.hpp. Each broken rule is one static_assert whose
// text names the missing or wrong piece and the fix.
#pragma once

#include <cstddef>
#include <type_traits>

#include <zguard/channel.hpp>
#include <zguard/detail/meta.hpp>
#include <zguard/detail/policy_set.hpp>
#include <zguard/domain.hpp>
#include <zguard/limits.hpp>
#include <zguard/one_of.hpp>
#include <zguard/pattern.hpp>
#include <zguard/security.hpp>
#include <zguard/signing.hpp>
#include <zguard/transport.hpp>

namespace zguard {
inline namespace v0 {
namespace detail {

// Whether every message of a socket with channel C is one frame: a typed
// stream<S> (signed or not: a signed message is one sealed frame).
template <class C>
consteval bool one_frame_messages() {
  if constexpr (is_missing<C>) return false;
  else return C::kind == channel_kind::stream;
}

// The rules of G1, G2, G5, G6, G10, G12 for one combination, and where
// each connection setting (connection.hpp) applies. Stops at the
// first broken rule so the compiler prints one message, not a cascade.
// A slot filled by a type that is not zguard's own tag stops the rules
// silently: the socket's own static_asserts name it.
template <class D, class T, class P, class M, class L, class C, class S>
consteval bool check_socket_rules() {
  if constexpr (is_missing<D>) {
    static_assert(dependent_false<D>,
                  "zguard::socket: no security domain; add zguard::domain<\"name\"> to the "
                  "socket's policies (G10)");
    return false;
  } else if constexpr (!SecurityDomain<D>) {
    return false;  // said by the socket's own static_assert
  } else if constexpr (is_missing<T>) {
    static_assert(dependent_false<T>,
                  "zguard::socket: no transport; add zguard::tcp, ipc, inproc, pgm or epgm");
    return false;
  } else if constexpr (!Transport<T>) {
    return false;  // said by the socket's own static_assert
  } else if constexpr (is_missing<P>) {
    static_assert(dependent_false<P>,
                  "zguard::socket: no pattern; add zguard::req, rep, dealer, router, pub, sub, "
                  "xpub, xsub, push, pull or pair");
    return false;
  } else if constexpr (!Pattern<P>) {
    return false;  // said by the socket's own static_assert
  } else if constexpr (is_missing<M>) {
    static_assert(dependent_false<M>,
                  "zguard::socket: no security mechanism; add zguard::curve_server / "
                  "curve_client, plain_server / plain_client (ipc), null_mechanism "
                  "(inproc, ipc) or zguard::insecure<\"reason\"> (G1)");
    return false;
  } else if constexpr (!Mechanism<M>) {
    return false;  // said by the socket's own static_assert
  } else if constexpr (is_missing<L>) {
    static_assert(dependent_false<L>,
                  "zguard::socket: no limits; add zguard::limits<send_hwm<N>, recv_hwm<N>, "
                  "drop_when_full|block_when_full, max_message_size<N>, linger_ms<N>, "
                  "send_timeout_ms<N>, recv_timeout_ms<N>, handshake_timeout_ms<N>> (G5, G6)");
    return false;
  } else if constexpr (!Limits<L>) {
    return false;  // said by the socket's own static_assert
  } else if constexpr (!is_missing<C> && !Channel<C>) {
    return false;  // said by the socket's own static_assert
  } else if constexpr (!is_missing<S> && !SigningPolicy<S>) {
    return false;  // said by the socket's own static_assert
  } else if constexpr (T::multicast && !(std::is_same_v<P, pub> || std::is_same_v<P, sub> ||
                                         std::is_same_v<P, xpub> || std::is_same_v<P, xsub>)) {
    static_assert(dependent_false<P>, "zguard::socket: pgm/epgm carry only PUB/SUB (G12)");
    return false;
  } else if constexpr (!T::carries_mechanism && M::kind != mechanism_kind::null) {
    static_assert(dependent_false<M>,
                  "zguard::socket: this transport (inproc, pgm, epgm) carries no security "
                  "mechanism: libzmq would silently ignore CURVE/PLAIN here; use "
                  "zguard::null_mechanism (inproc) or zguard::insecure<\"reason\"> (pgm/epgm)");
    return false;
  } else if constexpr (M::kind == mechanism_kind::plain && !std::is_same_v<T, ipc>) {
    static_assert(dependent_false<M>,
                  "zguard::socket: PLAIN sends the password in clear text; it is allowed only "
                  "on ipc (G2): use CURVE on tcp");
    return false;
  } else if constexpr (M::kind == mechanism_kind::null && !M::is_insecure &&
                       (std::is_same_v<T, tcp> || T::multicast)) {
    static_assert(dependent_false<M>,
                  "zguard::socket: NULL security on a network transport sends everything in "
                  "clear text and lets anyone connect (G1): use curve_server/curve_client, "
                  "or say so visibly with zguard::insecure<\"reason\">");
    return false;
  } else if constexpr (T::multicast && is_missing<S>) {
    static_assert(dependent_false<S>,
                  "zguard::socket: pgm/epgm deliver to anyone on the network segment and carry no "
                  "mechanism; every message must be signed: add zguard::signing<zguard::ed25519> "
                  "(or blake2b_mac) and a topic channel (G12)");
    return false;
  } else if constexpr (!is_missing<S> && is_missing<C>) {
    static_assert(dependent_false<S>,
                  "zguard::socket: signing covers typed messages; add a channel (zguard::topic, "
                  "service or stream) next to zguard::signing<...> (G7)");
    return false;
  } else if constexpr (!L::template has<limit_slot::send_hwm>) {
    static_assert(dependent_false<L>, "zguard::socket: limits<> has no send_hwm<N> (G5)");
    return false;
  } else if constexpr (!L::template has<limit_slot::recv_hwm>) {
    static_assert(dependent_false<L>, "zguard::socket: limits<> has no recv_hwm<N> (G5)");
    return false;
  } else if constexpr (!L::template has<limit_slot::overflow>) {
    static_assert(dependent_false<L>,
                  "zguard::socket: limits<> has no overflow policy; add drop_when_full or "
                  "block_when_full (G5)");
    return false;
  } else if constexpr (T::outside_process && !L::template has<limit_slot::max_message_size>) {
    static_assert(dependent_false<L>,
                  "zguard::socket: limits<> has no max_message_size<N>; a socket that receives "
                  "from other processes must bound ZMQ_MAXMSGSIZE (G5)");
    return false;
  } else if constexpr (!L::template has<limit_slot::linger>) {
    static_assert(dependent_false<L>, "zguard::socket: limits<> has no linger_ms<N> (G6)");
    return false;
  } else if constexpr (!L::template has<limit_slot::send_timeout>) {
    static_assert(dependent_false<L>, "zguard::socket: limits<> has no send_timeout_ms<N> (G6)");
    return false;
  } else if constexpr (!L::template has<limit_slot::recv_timeout>) {
    static_assert(dependent_false<L>, "zguard::socket: limits<> has no recv_timeout_ms<N> (G6)");
    return false;
  } else if constexpr (T::carries_mechanism && !L::template has<limit_slot::handshake_timeout>) {
    static_assert(dependent_false<L>,
                  "zguard::socket: limits<> has no handshake_timeout_ms<N>; the libzmq default "
                  "lets a silent peer hold a connection for 30 s (G6)");
    return false;
  } else if constexpr (P::full == when_full::drops && L::blocks_when_full) {
    static_assert(dependent_false<L>,
                  "zguard::socket: PUB/SUB/XPUB/XSUB drop messages at the HWM in libzmq; "
                  "declare zguard::drop_when_full (G5)");
    return false;
  } else if constexpr (P::full == when_full::blocks && !L::blocks_when_full) {
    static_assert(dependent_false<L>,
                  "zguard::socket: REQ/REP/DEALER/PUSH/PULL/PAIR block at the HWM in libzmq; "
                  "declare zguard::block_when_full (bounded by send_timeout_ms) (G5)");
    return false;
  } else if constexpr (!is_missing<C> && !channel_sides<C, P>::fits) {
    static_assert(dependent_false<C>,
                  "zguard::socket: the channel does not fit the pattern: service<Req, Rep> needs "
                  "REQ/REP/DEALER/ROUTER, topic<\"name\", S> PUB/XPUB/SUB/XSUB, stream<S> PUSH/PULL, "
                  "topics<...> SUB (a publisher sends each topic with its own topic<\"name\", S> socket)");
    return false;
  } else if constexpr (!is_missing<C> && std::is_same_v<P, router> && !L::blocks_when_full) {
    static_assert(dependent_false<L>,
                  "zguard::socket: a typed ROUTER replies to peers by handle; declare "
                  "zguard::block_when_full so that ROUTER_MANDATORY makes a reply to a gone or "
                  "unknown peer an error instead of a silent drop (G8)");
    return false;
  } else if constexpr (M::kind == mechanism_kind::curve && L::template has<limit_slot::max_message_size> &&
                       L::max_message_size < 512) {
    static_assert(dependent_false<L>,
                  "zguard::socket: a CURVE socket needs max_message_size<N> with N >= 512: libzmq applies "
                  "ZMQ_MAXMSGSIZE to the handshake too, and the CURVE INITIATE command (about 300 bytes "
                  "with metadata) over a smaller limit makes every handshake fail (G5)");
    return false;
  } else if constexpr (L::template has<limit_slot::tcp_keepalive> && !std::is_same_v<T, tcp>) {
    static_assert(dependent_false<L>,
                  "zguard::socket: tcp_keepalive<...> is a TCP option: on ipc, inproc, pgm or epgm libzmq would "
                  "silently ignore it; remove it (heartbeat<...> detects dead peers on ipc)");
    return false;
  } else if constexpr (L::template has<limit_slot::connect_timeout> && !std::is_same_v<T, tcp>) {
    static_assert(dependent_false<L>,
                  "zguard::socket: connect_timeout_ms<Ms> bounds a TCP connect: on ipc, inproc, pgm or epgm libzmq "
                  "would silently ignore it; remove it");
    return false;
  } else if constexpr ((L::template has<limit_slot::heartbeat> || L::template has<limit_slot::reconnect>) &&
                       !(std::is_same_v<T, tcp> || std::is_same_v<T, ipc>)) {
    static_assert(dependent_false<L>,
                  "zguard::socket: heartbeat<...> and reconnect<...> act on tcp and ipc connections: inproc has no "
                  "connection to lose and pgm/epgm no ZMTP session, so libzmq would silently ignore them; "
                  "remove them");
    return false;
  } else if constexpr (L::template has<limit_slot::conflate> && !one_frame_messages<C>()) {
    static_assert(dependent_false<L>,
                  "zguard::socket: conflate keeps one frame, and libzmq's conflate does not support multipart "
                  "messages: only a typed stream<S> PUSH/PULL (one frame a message, signed or not) may declare "
                  "it; a topic channel adds a topic frame, REQ/REP/DEALER/ROUTER add envelope frames, and a "
                  "socket without a channel may send any number of frames");
    return false;
  } else if constexpr (!is_missing<C> && L::template has<limit_slot::max_message_size> &&
                       max_size_of<typename channel_sides<C, P>::sends>() > std::size_t(L::max_message_size)) {
    // schema_too_large names both sizes and the largest field (of a one_of's largest alternative)
    using Sc = largest_schema_t<typename channel_sides<C, P>::sends>;
    return schema_too_large<Sc, max_encoded_size<Sc>, std::size_t(L::max_message_size), largest_field_name<Sc>,
                            largest_field_size<Sc>>();
  } else if constexpr (!is_missing<C> && L::template has<limit_slot::max_message_size> &&
                       max_size_of<typename channel_sides<C, P>::receives>() > std::size_t(L::max_message_size)) {
    using Sc = largest_schema_t<typename channel_sides<C, P>::receives>;
    return schema_too_large<Sc, max_encoded_size<Sc>, std::size_t(L::max_message_size), largest_field_name<Sc>,
                            largest_field_size<Sc>>();
  } else {
    return true;
  }
}

}  // namespace detail
}  // namespace v0
}  // namespace zguard
