// zguard/socket/part_rules.hpp - the rules of a socket's optional parts,
// checked once socket/rules.hpp's hold: vouched<...> (a typed REP or
// ROUTER service), batched<N, Ms> (one stream or topic schema, a full
// batch within max_message_size) and authorized (where permissions apply
// and an identity to look up) (G5, G18). Each broken rule is one
// static_assert whose text names the fix.
#pragma once

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

// batched<N, Ms> (batching.hpp), checked once the other rules hold: it
// packs the messages of a stream or topic channel, and a full batch must
// fit the socket's max_message_size (a receiver disconnects a peer whose
// frame is larger).
template <bool RulesHold, class B, class C, class P, class L, class S>
consteval bool check_batch_rules() {
  if constexpr (!RulesHold || is_missing<B>) {
    return RulesHold;
  } else if constexpr (!BatchingPolicy<B>) {
    return false;  // said by the socket's own static_assert
  } else if constexpr (is_missing<C>) {
    static_assert(dependent_false<B>,
                  "zguard::socket: batched<N, Ms> packs typed messages; add a stream<S> or topic<\"name\", S> "
                  "channel (a raw socket's frames are not batched)");
    return false;
  } else if constexpr (C::kind == channel_kind::service) {
    static_assert(dependent_false<B>,
                  "zguard::socket: batched<N, Ms> is for stream<S> and topic<\"name\", S> channels: a "
                  "service<Req, Rep> sends one request and waits for its reply, so there is nothing to batch");
    return false;
  } else if constexpr (C::kind == channel_kind::topic_set) {
    static_assert(dependent_false<B>,
                  "zguard::socket: batched<N, Ms> packs messages of one topic; a topics<...> channel is not "
                  "batched");
    return false;
  } else if constexpr (is_one_of<message_of<C>>) {
    static_assert(dependent_false<B>,
                  "zguard::socket: batched<N, Ms> packs messages of one schema; a one_of<...> channel is not "
                  "batched (send its messages one a frame)");
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
// ends of a service channel seal and open (G19); what routes between them
// (a proxy's sides, a capture: sockets without a channel) holds no key.
template <class X>
consteval bool sealing_options_in_bounds() {
  return X::freshness >= 1 && X::freshness <= 600'000 && X::window >= 64 && X::window <= 65536 && X::window % 64 == 0;
}
template <bool RulesHold, class X, class C, class P, class L>
consteval bool check_sealing_rules() {
  if constexpr (!RulesHold || is_missing<X>) {
    return RulesHold;
  } else if constexpr (!SealingPolicy<X>) {
    return false;  // said by the socket's own static_assert
  } else if constexpr (is_missing<C>) {
    static_assert(dependent_false<X>,
                  "zguard::socket: sealed<...> is for the two ends of a service<Req, Rep> channel; a socket "
                  "without a channel (a proxy's side, a capture, a relay) passes sealed frames it cannot read "
                  "and holds no sealing key (G19)");
    return false;
  } else if constexpr (C::kind != channel_kind::service) {
    static_assert(dependent_false<X>,
                  "zguard::socket: sealed<...> seals service<Req, Rep> channels (a REQ or a caller's DEALER, "
                  "and a REP or ROUTER service); topic and stream channels are not sealed by this release: "
                  "their payloads are readable by the devices they cross (G19)");
    return false;
  } else if constexpr (!sealing_options_in_bounds<X>()) {
    // Read from the policy itself: an explicit specialization of an option
    // (or of sealed<...>) carries whatever values it likes.
    static_assert(dependent_false<X>,
                  "zguard::socket: sealed<...>'s freshness must be in 1..600000 ms and its replay window a "
                  "multiple of 64 in 64..65536 (a specialized option does not change the bounds) (G19)");
    return false;
  } else if constexpr (L::template has<limit_slot::max_message_size> &&
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
