// zguard/socket/traits.hpp - what a socket type is, read from its policies.
//
// socket_view<Policies...> finds each policy by its slot (in any order),
// refuses types that are not zguard's own tags (socket/slot_table.hpp), runs
// the rules (socket/rules.hpp) and derives what the socket is: typed or raw,
// signed, signing or verifying, and which operations it offers. Users and
// generic code read it as zguard::traits_of<S>. socket_traits adds the short
// names and answers only zguard's own parts read.
#pragma once

#include <cstddef>
#include <type_traits>

#include <zguard/channel.hpp>
#include <zguard/detail/closed.hpp>
#include <zguard/detail/policy_set.hpp>
#include <zguard/detail/zguard_socket.hpp>
#include <zguard/limits.hpp>
#include <zguard/pattern.hpp>
#include <zguard/sealed.hpp>
#include <zguard/security.hpp>
#include <zguard/signing.hpp>
#include <zguard/socket/part_rules.hpp>
#include <zguard/socket/rules.hpp>
#include <zguard/socket/slot_table.hpp>
#include <zguard/transport.hpp>
#include <zguard/vouch.hpp>

namespace zguard {
inline namespace v0 {
namespace detail {

// A signing<A, ...>'s algorithm, else void: closed (detail/closed.hpp), so
// no specialization can change which keys a socket takes.
struct signing_algorithms {
  static void of(...);
  template <class A, class... Options>
  static A of(signing<A, Options...>**);
};
template <class S>
using signing_algorithm_of = decltype(signing_algorithms::of(static_cast<S**>(nullptr)));

// What a socket type is, read from its policies: the public view,
// zguard::traits_of<S> (below). Only what users and generic code ask.
template <class Slots, class... Policies>
struct socket_view_of;
template <class... Slots, class... Policies>
struct socket_view_of<type_list<Slots...>, Policies...> : slot_row<Slots, find_policy_t<Slots, Policies...>>... {
 private:
  template <class Slot>
  using in = find_policy_t<Slot, Policies...>;
  static_assert((known_slot<Policies> && ...) || false,
                "zguard::socket: every argument must be a zguard policy: a domain<\"name\">, a "
                "transport, a pattern, a mechanism, a limits<...>, a channel, a signing<...>, a vouched<...>, a "
                "batched<...> or coalesced<...>, authorized or sealed<...>");
  static_assert(slots_filled_once<Policies...>,
                "zguard::socket: two policies fill the same slot (one domain, transport, "
                "pattern, mechanism, limits, channel, signing, vouched, batched or coalesced, authorized and "
                "sealed each)");

 public:
  using domain_type = in<slot::domain>;
  using transport_type = in<slot::transport>;
  using pattern_type = in<slot::pattern>;
  using mechanism_type = in<slot::mechanism>;
  using limits_type = in<slot::limits>;
  // Optional: without a channel the socket carries raw frames.
  using channel_type = in<slot::channel>;
  // Optional: zguard::signing<Alg, ...> signs what the channel sends and
  // verifies what it receives.
  using signing_type = in<slot::signing>;
  // Optional: zguard::vouched<blake2b_mac, ...> checks a broker's vouch on
  // every request (vouch.hpp).
  using vouch_type = in<slot::vouch>;
  // Optional: zguard::batched<N, Ms> or coalesced<N, Us> packs up to N messages a frame (batching.hpp).
  using batching_type = in<slot::batching>;
  // Optional: zguard::authorized enforces a permission set (permissions.hpp).
  using authorization_type = in<slot::authorization>;
  // Optional: zguard::sealed<...> seals a service channel's payloads end to end (sealed.hpp).
  using sealing_type = in<slot::sealing>;

  // Whether every rule holds; when not, one static_assert has said why and
  // the socket is assembled from nothing but silent stand-ins.
  static constexpr bool valid = check_sealing_rules<
      check_authorization_rules<
          check_batch_rules<check_vouch_rules<check_socket_rules<domain_type, transport_type, pattern_type,
                                                                 mechanism_type, limits_type, channel_type,
                                                                 signing_type>(),
                                              vouch_type, channel_type, pattern_type>(),
                            batching_type, channel_type, pattern_type, limits_type, signing_type>(),
          authorization_type, channel_type, pattern_type, mechanism_type, vouch_type>(),
      sealing_type, channel_type, pattern_type, limits_type, signing_type, batching_type>();

  static constexpr bool typed = !is_missing<channel_type>;
  static constexpr bool is_signed = !is_missing<signing_type>;
  using signing_algorithm = signing_algorithm_of<signing_type>;  // void when unsigned
  // A signed socket signs what its channel sends and verifies what it receives.
  static constexpr bool signs =
      is_signed && typed &&
      !std::is_same_v<typename channel_sides<channel_type, pattern_type>::sends, nothing_carried>;
  static constexpr bool verifies =
      is_signed && typed &&
      !std::is_same_v<typename channel_sides<channel_type, pattern_type>::receives, nothing_carried>;
  // A vouched<...> worker checks the broker's vouch on every request.
  static constexpr bool checks_vouch = !is_missing<vouch_type>;
  // A batched<N, Ms> socket packs (or unpacks) up to N messages a frame.
  static constexpr bool is_batched = !is_missing<batching_type>;
  // An authorized socket enforces the permissions it is given (G18).
  static constexpr bool is_authorized = !is_missing<authorization_type>;
  static constexpr bool is_router = std::is_same_v<pattern_type, router>;
  // A sealed socket seals its requests (a client: REQ, DEALER) or opens
  // them and seals its answers (a service: REP, ROUTER) (G19).
  static constexpr bool is_sealed = !is_missing<sealing_type>;
  static constexpr bool sealed_service = [] {
    if constexpr (valid && is_sealed && typed) return channel_type::kind == channel_kind::service;
    else return false;
  }();
  static constexpr bool opens_sealed = sealed_service && (std::is_same_v<pattern_type, rep> || is_router);
  static constexpr bool seals_requests = sealed_service && !opens_sealed;
  // A sealed topic channel's publisher seals under its epoch keys and
  // announces them; its subscriber opens (G19).
  static constexpr bool sealed_feed = [] {
    if constexpr (valid && is_sealed && typed) return channel_type::kind == channel_kind::topic;
    else return false;
  }();
  // By the channel's sides, as signs and verifies are: an XPUB publishes
  // (it also reads subscriptions), an XSUB subscribes.
  static constexpr bool seals_feed = [] {
    if constexpr (sealed_feed)
      return !std::is_same_v<typename channel_sides<channel_type, pattern_type>::sends, nothing_carried>;
    else return false;
  }();
  static constexpr bool opens_feed = [] {
    if constexpr (sealed_feed)
      return !std::is_same_v<typename channel_sides<channel_type, pattern_type>::receives, nothing_carried>;
    else return false;
  }();
  static constexpr bool rate_limited = [] {
    if constexpr (valid) return limits_type::rate_limited;
    else return false;
  }();

  // What this socket offers: one family per kind. A socket without a
  // channel carries raw frames; one with a channel carries its schemas,
  // under the same names. An absent operation still has a member whose
  // body says why it is absent, so generic code asks these instead of
  // whether a call compiles.
  static constexpr bool offers_send = [] {  // a ROUTER's takes the peer first: send(peer, msg)
    if constexpr (valid) return pattern_type::can_send && (typed || (!is_router && !is_authorized));
    else return false;
  }();
  static constexpr bool offers_receive = [] {
    if constexpr (valid) return pattern_type::can_recv && (typed || (!is_router && !is_authorized));
    else return false;
  }();
  static constexpr bool offers_receive_multipart = offers_receive && !typed;
  // A raw SUB, and a typed one whose channel is a topics<...> set (its declared names only).
  static constexpr bool offers_subscribe =
      valid && std::is_same_v<pattern_type, sub> && (!typed || is_topic_set<channel_type>);
  static constexpr bool offers_call = valid && std::is_same_v<pattern_type, req>;
  static constexpr bool offers_serve = valid && (std::is_same_v<pattern_type, rep> || (typed && is_router));
};

template <class... Policies>
using socket_view = socket_view_of<all_slots, Policies...>;

// What every part of a socket reads: the view, short names for the
// policies, and what only zguard's own parts need to know. Not reachable
// from zguard::socket<...> (socket_handle holds it as a protected base).
template <class... Policies>
struct socket_traits : socket_view<Policies...> {
  using view = socket_view<Policies...>;
  using D = typename view::domain_type;
  using T = typename view::transport_type;
  using P = typename view::pattern_type;
  using M = typename view::mechanism_type;
  using L = typename view::limits_type;
  using C = typename view::channel_type;
  using S = typename view::signing_type;
  using B = typename view::batching_type;
  using X = typename view::sealing_type;
  // A CURVE or PLAIN server that sends to its peers unasked (PUB, XPUB,
  // PUSH, DEALER, PAIR: a feed, a task source, a queue's back) records whom
  // it let in (its ZAP gate, detail/subscriber_gate.hpp), and an
  // authorized XPUB also judges whether they may subscribe; it cuts its
  // connections when one of them is revoked. (A REP or ROUTER only
  // answers, and asks about the peer it answers.)
  static constexpr bool gates_subscribers = [] {
    if constexpr (view::valid)
      return (std::is_same_v<P, xpub> || std::is_same_v<P, pub> || std::is_same_v<P, push> ||
              std::is_same_v<P, dealer> || std::is_same_v<P, pair>) &&
             T::carries_mechanism && M::role == mechanism_role::server &&
             (M::kind == mechanism_kind::curve || M::kind == mechanism_kind::plain);
    else return false;
  }();
  // A ROUTER on a network transport reads its own monitor, so a reply never
  // follows a routing id to a new connection (G8); so does an authorized
  // typed XPUB, which drops libzmq's subscription notices at every send.
  static constexpr bool monitors_connections = [] {
    if constexpr (view::valid)
      return (view::is_router || (view::is_authorized && view::typed && std::is_same_v<P, xpub>)) &&
             T::carries_mechanism;
    else return false;
  }();
  // A socket with ranged limit tags takes a zguard::runtime_limits
  // (socket/arguments.hpp says where).
  static constexpr bool takes_runtime_limits = [] {
    if constexpr (view::valid) return bool(L::has_ranged);
    else return false;
  }();
};

// A socket's view (below: traits_of). Any other type, a look-alike
// written with the same member names included, is not a socket: its view
// is valid for nothing, has every slot empty and offers nothing, so code
// that reads traits_of<X> refuses it rather than believing its members.
struct not_a_socket_view {
  using domain_type = missing<slot::domain>;
  using transport_type = missing<slot::transport>;
  using pattern_type = missing<slot::pattern>;
  using mechanism_type = missing<slot::mechanism>;
  using limits_type = missing<slot::limits>;
  using channel_type = missing<slot::channel>;
  using signing_type = missing<slot::signing>;
  using vouch_type = missing<slot::vouch>;
  using batching_type = missing<slot::batching>;
  using authorization_type = missing<slot::authorization>;
  using sealing_type = missing<slot::sealing>;
  using signing_algorithm = void;
  static constexpr bool valid = false, typed = false, is_signed = false, signs = false, verifies = false,
                        checks_vouch = false, is_batched = false, is_authorized = false, is_router = false,
                        is_sealed = false, sealed_service = false, opens_sealed = false, seals_requests = false,
                        sealed_feed = false, seals_feed = false, opens_feed = false,
                        rate_limited = false, offers_send = false, offers_receive = false,
                        offers_receive_multipart = false, offers_subscribe = false, offers_call = false,
                        offers_serve = false;
};
struct socket_views {
  static not_a_socket_view of(...);
  template <class... Ps>
  static socket_view<Ps...> of(socket<Ps...>**);
};
template <class S>
using view_of = decltype(socket_views::of(static_cast<S**>(nullptr)));

}  // namespace detail

// What a zguard::socket<...> type is: its policies by slot (domain_type,
// transport_type, pattern_type, mechanism_type, limits_type, channel_type,
// signing_type, vouch_type, batching_type, authorization_type), whether it
// is valid, typed, signed (signs, verifies, signing_algorithm), vouched,
// batched, authorized, a ROUTER, rate limited, and which operations it
// offers (offers_send, ...). The one documented view: a socket's own scope
// carries none of these names. Of any other type: detail::not_a_socket_view
// (valid false, every slot empty, nothing offered).
template <class S>
using traits_of = detail::view_of<std::remove_cvref_t<S>>;

}  // namespace v0
}  // namespace zguard
