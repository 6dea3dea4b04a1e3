// zguard/socket/traits.hpp - what a socket type is, read from its policies.
//
// socket_traits<Policies...> finds each policy by its slot (in any order),
// refuses types that are not zguard's own tags, runs the rules
// (socket/rules.hpp) and derives what the socket is: typed or raw, signed,
// signing or verifying, a ROUTER that tracks its connections, and which
// operations it offers. Every part of a socket reads these; zguard::socket
// inherits them, so socket<...>::pattern_type, ::typed, ::offers_send, ...
// are the answers for users and generic code.
#pragma once

#include <cstddef>
#include <type_traits>

#include <zguard/channel.hpp>
#include <zguard/detail/closed.hpp>
#include <zguard/detail/policy_set.hpp>
#include <zguard/limits.hpp>
#include <zguard/pattern.hpp>
#include <zguard/security.hpp>
#include <zguard/signing.hpp>
#include <zguard/socket/rules.hpp>
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

template <class... Policies>
struct socket_traits {
  using domain_type = find_policy_t<slot::domain, as_policy<Policies>...>;
  using transport_type = find_policy_t<slot::transport, as_policy<Policies>...>;
  using pattern_type = find_policy_t<slot::pattern, as_policy<Policies>...>;
  using mechanism_type = find_policy_t<slot::mechanism, as_policy<Policies>...>;
  using limits_type = find_policy_t<slot::limits, as_policy<Policies>...>;
  // Optional: without a channel the socket carries raw frames.
  using channel_type = find_policy_t<slot::channel, as_policy<Policies>...>;
  // Optional: zguard::signing<Alg, ...> signs what the channel sends and
  // verifies what it receives.
  using signing_type = find_policy_t<slot::signing, as_policy<Policies>...>;
  // Optional: zguard::vouched<blake2b_mac, ...> checks a broker's vouch on
  // every request (vouch.hpp).
  using vouch_type = find_policy_t<slot::vouch, as_policy<Policies>...>;
  // Optional: zguard::batched<N, Ms> packs up to N messages a frame (batching.hpp).
  using batching_type = find_policy_t<slot::batching, as_policy<Policies>...>;
  // Optional: zguard::authorized enforces a permission set (permissions.hpp).
  using authorization_type = find_policy_t<slot::authorization, as_policy<Policies>...>;

 private:
  static_assert((known_slot<Policies> && ...) || false,
                "zguard::socket: every argument must be a zguard policy: a domain<\"name\">, a "
                "transport, a pattern, a mechanism, a limits<...>, a channel, a signing<...>, a vouched<...>, a "
                "batched<...> or authorized");
  static_assert(count_policy<slot::domain, as_policy<Policies>...> <= 1 &&
                    count_policy<slot::transport, as_policy<Policies>...> <= 1 &&
                    count_policy<slot::pattern, as_policy<Policies>...> <= 1 &&
                    count_policy<slot::mechanism, as_policy<Policies>...> <= 1 &&
                    count_policy<slot::limits, as_policy<Policies>...> <= 1 &&
                    count_policy<slot::channel, as_policy<Policies>...> <= 1 &&
                    count_policy<slot::signing, as_policy<Policies>...> <= 1 &&
                    count_policy<slot::vouch, as_policy<Policies>...> <= 1 &&
                    count_policy<slot::batching, as_policy<Policies>...> <= 1 &&
                    count_policy<slot::authorization, as_policy<Policies>...> <= 1,
                "zguard::socket: two policies fill the same slot (one domain, transport, "
                "pattern, mechanism, limits, channel, signing, vouched, batched and authorized each)");
  // Only zguard's own tags fill a slot: the rules compare with those exact
  // types, so a derived or look-alike type (struct lan_tcp : tcp {}) could
  // change a rule's outcome. Checked here, before any rule names T.
  static_assert(is_missing<domain_type> || SecurityDomain<domain_type>,
                "zguard::socket: the domain slot holds a type that is not a zguard::domain<\"name\">; "
                "derived or hand-written tags are refused (only zguard's own tags fill a slot)");
  static_assert(is_missing<transport_type> || Transport<transport_type>,
                "zguard::socket: the transport slot holds a type that is not a zguard transport tag "
                "(tcp, ipc, inproc, pgm, epgm); derived or hand-written tags are refused");
  static_assert(is_missing<pattern_type> || Pattern<pattern_type>,
                "zguard::socket: the pattern slot holds a type that is not a zguard pattern tag "
                "(req, rep, dealer, router, pub, sub, xpub, xsub, push, pull, pair); derived or "
                "hand-written tags are refused");
  static_assert(is_missing<mechanism_type> || Mechanism<mechanism_type>,
                "zguard::socket: the mechanism slot holds a type that is not a zguard mechanism tag "
                "(curve_server, curve_client, plain_server, plain_client, null_mechanism, "
                "insecure<\"reason\">); derived or hand-written tags are refused");
  static_assert(is_missing<limits_type> || Limits<limits_type>,
                "zguard::socket: the limits slot holds a type that is not a zguard::limits<...>; "
                "derived or hand-written limits are refused");
  static_assert(is_missing<channel_type> || Channel<channel_type>,
                "zguard::socket: the channel slot holds a type that is not a zguard::service<...>, "
                "topic<...> or stream<...>; derived or hand-written channels are refused");
  static_assert(is_missing<signing_type> || SigningPolicy<signing_type>,
                "zguard::socket: the signing slot holds a type that is not a zguard::signing<...>; "
                "derived or hand-written signing policies are refused");
  static_assert(is_missing<vouch_type> || VouchPolicy<vouch_type>,
                "zguard::socket: the vouch slot holds a type that is not a zguard::vouched<...>; "
                "derived or hand-written policies are refused");
  static_assert(is_missing<batching_type> || BatchingPolicy<batching_type>,
                "zguard::socket: the batching slot holds a type that is not a zguard::batched<N, MaxDelayMs>; "
                "derived or hand-written policies are refused");
  static_assert(is_missing<authorization_type> || AuthorizationPolicy<authorization_type>,
                "zguard::socket: the authorization slot holds a type that is not zguard::authorized; "
                "derived or hand-written policies are refused");

 public:
  // Whether every rule holds; when not, one static_assert has said why and
  // the socket is assembled from nothing but silent stand-ins.
  static constexpr bool valid = check_authorization_rules<check_batch_rules<
      check_vouch_rules<check_socket_rules<domain_type, transport_type, pattern_type, mechanism_type, limits_type,
                                           channel_type, signing_type>(),
                        vouch_type, channel_type, pattern_type>(),
      batching_type, channel_type, pattern_type, limits_type, signing_type>(),
      authorization_type, channel_type, pattern_type, mechanism_type, vouch_type>();

  using D = domain_type;
  using T = transport_type;
  using P = pattern_type;
  using M = mechanism_type;
  using L = limits_type;
  using C = channel_type;
  using S = signing_type;
  static constexpr bool typed = !is_missing<C>;
  static constexpr bool is_signed = !is_missing<S>;
  using signing_algorithm = signing_algorithm_of<S>;  // void when unsigned
  // A signed socket signs what its channel sends and verifies what it receives.
  static constexpr bool signs =
      is_signed && typed && !std::is_same_v<typename channel_sides<C, P>::sends, nothing_carried>;
  static constexpr bool verifies =
      is_signed && typed && !std::is_same_v<typename channel_sides<C, P>::receives, nothing_carried>;
  // A vouched<...> worker checks the broker's vouch on every request.
  static constexpr bool checks_vouch = !is_missing<vouch_type>;
  // A batched<N, Ms> socket packs (or unpacks) up to N messages a frame.
  static constexpr bool is_batched = !is_missing<batching_type>;
  using B = batching_type;
  // An authorized socket enforces the permissions it is given (G18).
  static constexpr bool is_authorized = !is_missing<authorization_type>;
  static constexpr bool is_router = std::is_same_v<P, router>;
  static constexpr bool rate_limited = [] {
    if constexpr (valid) return L::rate_limited;
    else return false;
  }();
  // A CURVE or PLAIN server that sends to its peers unasked (PUB, XPUB,
  // PUSH, DEALER, PAIR: a feed, a task source, a queue's back) records whom
  // it let in (its ZAP gate, detail/subscriber_gate.hpp), and an
  // authorized XPUB also judges whether they may subscribe; it cuts its
  // connections when one of them is revoked. (A REP or ROUTER only
  // answers, and asks about the peer it answers.)
  static constexpr bool gates_subscribers = [] {
    if constexpr (valid)
      return (std::is_same_v<P, xpub> || std::is_same_v<P, pub> || std::is_same_v<P, push> ||
              std::is_same_v<P, dealer> || std::is_same_v<P, pair>) &&
             T::carries_mechanism &&
             M::role == mechanism_role::server &&
             (M::kind == mechanism_kind::curve || M::kind == mechanism_kind::plain);
    else return false;
  }();
  // A ROUTER on a network transport reads its own monitor, so a reply never
  // follows a routing id to a new connection (G8); so does an authorized
  // typed XPUB, which drops libzmq's subscription notices at every send.
  static constexpr bool monitors_connections = [] {
    if constexpr (valid) return (is_router || (is_authorized && typed && std::is_same_v<P, xpub>)) && T::carries_mechanism;
    else return false;
  }();
  // How many constructor arguments follow the mechanism's.
  static constexpr std::size_t signing_arguments = std::size_t(signs) + std::size_t(verifies);
  static constexpr std::size_t vouch_arguments = std::size_t(checks_vouch);
  static constexpr std::size_t authorization_arguments = std::size_t(is_authorized);
  // A socket with ranged limit tags takes a runtime_limits right after the
  // mechanism's arguments (before the facets').
  static constexpr std::size_t runtime_limit_arguments = [] {
    if constexpr (valid) return std::size_t(L::has_ranged);
    else return std::size_t(0);
  }();

  // What this socket offers: one family per kind. A socket without a
  // channel carries raw frames; one with a channel carries its schemas,
  // under the same names. An absent operation still has a member whose
  // body says why it is absent, so generic code asks these instead of
  // whether a call compiles.
  static constexpr bool offers_send = [] {  // a ROUTER's takes the peer first: send(peer, msg)
    if constexpr (valid) return P::can_send && (typed || (!is_router && !is_authorized));
    else return false;
  }();
  static constexpr bool offers_receive = [] {
    if constexpr (valid) return P::can_recv && (typed || (!is_router && !is_authorized));
    else return false;
  }();
  static constexpr bool offers_receive_multipart = offers_receive && !typed;
  // A raw SUB, and a typed one whose channel is a topics<...> set (its declared names only).
  static constexpr bool offers_subscribe = valid && std::is_same_v<P, sub> && (!typed || is_topic_set<C>);
  static constexpr bool offers_call = valid && std::is_same_v<P, req>;
  static constexpr bool offers_serve = valid && (std::is_same_v<P, rep> || (typed && is_router));
};

struct socket_traits_types {
  static consteval bool of(...) { return false; }
  template <class... Ps>
  static consteval bool of(socket_traits<Ps...>**) { return true; }
};
template <class X>
concept is_socket_traits = closed_member<socket_traits_types, X>;

}  // namespace detail
}  // namespace v0
}  // namespace zguard
