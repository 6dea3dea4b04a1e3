// zguard/socket/part_rules.hpp - the rules of a socket's optional parts,
// checked once socket/rules.hpp's hold: vouched<...> (a typed REP or
// ROUTER service), batched<N, Ms> (one stream or topic schema, a full
// batch within max_message_size) and authorized (where permissions apply
// and an identity to look up) (G5, G18). Each broken rule is one
// static_assert whose text names the fix.
#pragma once

#include <algorithm>
#include <cstddef>
#include <type_traits>

#include <zguard/batching.hpp>
#include <zguard/channel.hpp>
#include <zguard/detail/meta.hpp>
#include <zguard/detail/policy_set.hpp>
#include <zguard/envelope.hpp>
#include <zguard/limits.hpp>
#include <zguard/one_of.hpp>
#include <zguard/pattern.hpp>
#include <zguard/permissions.hpp>
#include <zguard/detail/call_ids.hpp>
#include <zguard/detail/feed_seal.hpp>
#include <zguard/detail/seal_box.hpp>
#include <zguard/sealed.hpp>
#include <zguard/security.hpp>
#include <zguard/vouch.hpp>

namespace zguard {
inline namespace v0 {
namespace detail {

// vouched<...> (vouch.hpp), checked once the other rules hold: a worker
// that takes vouched requests serves typed requests (REP or ROUTER).
template <bool RulesHold, class V, class C, class P>
consteval bool check_vouch_rules() {
  if constexpr (!RulesHold) {
    return false;
  } else if constexpr (is_missing<V>) {
    return true;
  } else if constexpr (!VouchPolicy<V>) {
    return false;  // said by the socket's own static_assert
  } else if constexpr (is_missing<C> || !(std::is_same_v<P, rep> || std::is_same_v<P, router>)) {
    static_assert(dependent_false<V>,
                  "zguard::socket: vouched<...> is for workers behind a vouching broker: a REP or ROUTER "
                  "with a service<Req, Rep> channel (the vouch is checked before the request is decoded)");
    return false;
  } else {
    return true;
  }
}
template <class C>
using message_of = typename C::message_type;  // stream<S>, topic<"name", S>
// What the envelope adds to a signed batch: header, topic copy, signature.
template <class C, class S>
constexpr std::size_t batch_seal_overhead() {
  if constexpr (is_missing<S>) return 0;
  else if constexpr (C::kind == channel_kind::topic) return envelope_header_min + C::name.size() + S::algorithm::signature_size;
  else return envelope_header_min + S::algorithm::signature_size;
}

// batched<N, Ms> and coalesced<N, Us> (batching.hpp), checked once the
// other rules hold: they pack the messages of a stream or topic channel,
// and a full batch must fit the socket's max_message_size (a receiver
// disconnects a peer whose frame is larger).
template <bool RulesHold, class B, class C, class P, class L, class S>
consteval bool check_batch_rules() {
  if constexpr (!RulesHold || is_missing<B>) {
    return RulesHold;
  } else if constexpr (!BatchingPolicy<B>) {
    return false;  // said by the socket's own static_assert
  } else if constexpr (!batching_members_hold(static_cast<B*>(nullptr))) {
    return false;  // said by batching_members_hold (batching.hpp)
  } else if constexpr (is_missing<C>) {
    static_assert(dependent_false<B>,
                  "zguard::socket: batched<N, Ms> and coalesced<N, Us> pack typed messages; add a stream<S> "
                  "or topic<\"name\", S> channel (a raw socket's frames are not batched)");
    return false;
  } else if constexpr (C::kind == channel_kind::service) {
    static_assert(dependent_false<B>,
                  "zguard::socket: batched<N, Ms> and coalesced<N, Us> are for stream<S> and topic<\"name\", S> "
                  "channels: a service<Req, Rep> sends one request and waits for its reply, so there is nothing "
                  "to batch");
    return false;
  } else if constexpr (C::kind == channel_kind::topic_set) {
    static_assert(dependent_false<B>,
                  "zguard::socket: batched<N, Ms> and coalesced<N, Us> pack messages of one topic; a topics<...> "
                  "channel is not batched");
    return false;
  } else if constexpr (is_one_of<message_of<C>>) {
    static_assert(dependent_false<B>,
                  "zguard::socket: batched<N, Ms> and coalesced<N, Us> pack messages of one schema; a "
                  "one_of<...> channel is not batched (send its messages one a frame)");
    return false;
  } else if constexpr (L::template has<limit_slot::max_message_size> &&
                       max_batch_size<message_of<C>, B::max_messages> + batch_seal_overhead<C, S>() >
                           std::size_t(L::max_message_size)) {
    static_assert(dependent_false<B>,
                  "zguard::socket: a full batch (N messages of the schema's largest encoding, with their "
                  "framing and, when signed, the envelope) does not fit max_message_size<N>: lower the "
                  "batch's N or raise max_message_size (G5)");
    return false;
  } else {
    return true;
  }
}

// authorized (permissions.hpp), checked once the other rules hold: it
// enforces who may call a service (a REP or ROUTER with a service channel)
// and who may subscribe to a feed (an XPUB with a topic channel), and it
// needs an identity to look up: an authenticating mechanism (CURVE, PLAIN)
// or, for a service, a broker's vouch.
// Where authorized applies: a service on REP/ROUTER (call), a topic on
// XPUB (subscribe), a forwarder's raw XSUB front (publish) and XPUB back.
template <class C, class P>
consteval bool authorizable() {
  if constexpr (is_missing<C>) return std::is_same_v<P, xpub> || std::is_same_v<P, xsub>;
  else if constexpr (C::kind == channel_kind::service) return std::is_same_v<P, rep> || std::is_same_v<P, router>;
  else return C::kind == channel_kind::topic && std::is_same_v<P, xpub>;
}

template <bool RulesHold, class Z, class C, class P, class M, class V>
consteval bool check_authorization_rules() {
  if constexpr (!RulesHold || is_missing<Z>) {
    return RulesHold;
  } else if constexpr (!AuthorizationPolicy<Z>) {
    return false;  // said by the socket's own static_assert
  } else if constexpr (std::is_same_v<P, pub>) {
    static_assert(dependent_false<Z>,
                  "zguard::socket: an authorized feed is an XPUB, not a PUB: a PUB applies every subscription "
                  "itself, an XPUB lets zguard admit only subscribers whose key may read it (G18)");
    return false;
  } else if constexpr (!authorizable<C, P>()) {
    static_assert(dependent_false<Z>,
                  "zguard::socket: authorized enforces call permissions on a REP or ROUTER with a "
                  "service<Req, Rep> channel, and subscribe permissions on an XPUB with a topic<\"name\", S> "
                  "channel, and on a forwarder's raw XSUB front (publish) and XPUB back (subscribe) (G18)");
    return false;
  } else if constexpr ((M::kind == mechanism_kind::null || M::role != mechanism_role::server) &&
                       is_missing<V>) {  // vouched<...> needs a service; a client learns no peer's identity
    static_assert(dependent_false<Z>,
                  "zguard::socket: authorized needs to know who the peer is: a CURVE or PLAIN server "
                  "mechanism, or vouched<...> behind a broker that vouches for its clients (G18)");
    return false;
  } else {
    return true;
  }
}

// What sealing adds to the largest message a sealed socket sends (Sends)
// or receives: the seal of a request or of an answer, and a caller's or a
// correlated answer's call id inside it.
template <class C, class P, bool Sends>
consteval std::size_t sealed_size_overhead() {
  constexpr bool service = std::is_same_v<P, rep> || std::is_same_v<P, router>;
  return (service == Sends ? sealed_answer_overhead : sealed_request_overhead) + call_id_prefix_size;
}

// sealed<...> (sealed.hpp), checked once the other rules hold: the two
// ends of a service channel, or a signed topic channel's publisher and
// subscribers, seal and open (G19); what routes between them (a proxy's
// sides, a capture: sockets without a channel) holds no key.
template <class X>
consteval bool sealing_options_in_bounds() {
  return X::freshness >= 1 && X::freshness <= 600'000 && X::window >= 64 && X::window <= 65536 &&
         X::window % 64 == 0 && X::rotate >= 1000 && X::rotate <= 86'400'000 && X::announce >= 10 &&
         X::announce <= 600'000 && X::pad >= 1 && X::pad <= 65535 && X::members >= 1 && X::members <= 4096;
}
// A sealed feed's largest frame payload (the envelope's): a message, or a
// full batch, sealed under the epoch key; and the announcement of an epoch
// to max_members members.
template <class X, class C, class B>
consteval std::size_t sealed_feed_payload_max() {
  std::size_t plain = max_size_of<message_of<C>>();
  if constexpr (!is_missing<B>) plain = max_batch_size<message_of<C>, B::max_messages>;
  return std::max(sealed_feed_size(plain, X::pad), announcement_size(X::members));
}
// A sealed topic's largest frame, within max_message_size (when one is declared).
template <class X, class C, class L, class B>
consteval bool sealed_feed_fits() {
  if constexpr (C::kind != channel_kind::topic || !L::template has<limit_slot::max_message_size>) return true;
  else
    return envelope_header_min + C::name.size() + ed25519::signature_size + sealed_feed_payload_max<X, C, B>() <=
           std::size_t(L::max_message_size);
}
template <class S>
consteval bool signed_with_ed25519() {
  if constexpr (is_missing<S>) return false;
  else return std::is_same_v<typename S::algorithm, ed25519>;
}
template <bool RulesHold, class X, class C, class P, class L, class S, class B>
consteval bool check_sealing_rules() {
  if constexpr (!RulesHold || is_missing<X>) {
    return RulesHold;
  } else if constexpr (!SealingPolicy<X>) {
    return false;  // said by the socket's own static_assert
  } else if constexpr (is_missing<C>) {
    static_assert(dependent_false<X>,
                  "zguard::socket: sealed<...> is for the ends of a channel (a service's client and service, a "
                  "topic's publisher and subscribers); a socket without a channel (a proxy's side, a capture, a "
                  "relay) passes sealed frames it cannot read and holds no sealing key (G19)");
    return false;
  } else if constexpr (C::kind != channel_kind::service && C::kind != channel_kind::topic) {
    static_assert(dependent_false<X>,
                  "zguard::socket: sealed<...> seals service<Req, Rep> and topic<\"name\", S> channels; stream "
                  "channels and topics<...> sets are not sealed by this release: their payloads are readable by "
                  "the devices they cross (G19)");
    return false;
  } else if constexpr (!sealing_options_in_bounds<X>()) {
    // Read from the policy itself: an explicit specialization of an option
    // (or of sealed<...>) carries whatever values it likes.
    static_assert(dependent_false<X>,
                  "zguard::socket: sealed<...>'s options out of bounds: freshness 1..600000 ms, replay window a "
                  "multiple of 64 in 64..65536, rotate 1000..86400000 ms, announce 10..600000 ms, pad 1..65535, "
                  "members 1..4096 (a specialized option does not change the bounds) (G19)");
    return false;
  } else if constexpr (C::kind == channel_kind::service && X::feed_options) {
    static_assert(dependent_false<X>,
                  "zguard::socket: rotate_ms, announce_ms, pad_to and max_members are a sealed topic's options; "
                  "a sealed service channel takes freshness_ms and replay_window (G19)");
    return false;
  } else if constexpr (C::kind == channel_kind::topic && X::service_options) {
    static_assert(dependent_false<X>,
                  "zguard::socket: a sealed topic's freshness and replays are judged by its envelope: give "
                  "freshness_ms and replay_window to signing<ed25519, ...>; sealed<...> on a topic takes "
                  "rotate_ms, announce_ms, pad_to and max_members (G19)");
    return false;
  } else if constexpr (C::kind == channel_kind::topic &&
                       !signed_with_ed25519<S>()) {
    static_assert(dependent_false<X>,
                  "zguard::socket: a sealed topic needs signing<ed25519, ...>: its subscribers take an epoch key "
                  "only from an announcement their publisher signed, and a blake2b_mac key is every "
                  "subscriber's, so any of them could announce (G7, G19)");
    return false;
  } else if constexpr (!sealed_feed_fits<X, C, L, B>()) {
    static_assert(dependent_false<X>,
                  "zguard::socket: a sealed topic's frame does not fit max_message_size<N>: its largest message "
                  "(or full batch), padded and sealed (37 bytes and the padding), and its key announcement (44 "
                  "bytes and 56 a member, up to max_members) must fit with the envelope; raise "
                  "max_message_size or lower max_members (G5, G19)");
    return false;
  } else if constexpr (C::kind == channel_kind::service && L::template has<limit_slot::max_message_size> &&
                       (max_size_of<typename channel_sides<C, P>::sends>() + sealed_size_overhead<C, P, true>() >
                            std::size_t(L::max_message_size) ||
                        max_size_of<typename channel_sides<C, P>::receives>() + sealed_size_overhead<C, P, false>() >
                            std::size_t(L::max_message_size))) {
    static_assert(dependent_false<X>,
                  "zguard::socket: a sealed message does not fit max_message_size<N>: the largest encoding it "
                  "sends or receives, a call id and the seal (146 bytes on a request, 74 on an answer) must "
                  "fit; raise max_message_size (G5, G19)");
    return false;
  } else {
    return true;
  }
}

}  // namespace detail
}  // namespace v0
}  // namespace zguard
