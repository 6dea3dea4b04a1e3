// zguard/socket/rules.hpp - the rules a socket type must keep (G1, G2, G5,
// G6, G7, G8, G10, G12), checked at compile time, and the constructor
// arguments each mechanism and part needs (laid out by socket/arguments.hpp). Each broken rule is one
// static_assert whose text names the missing or wrong piece and the fix.
#pragma once

#include <cstddef>
#include <tuple>
#include <type_traits>
#include <utility>

#include <zguard/auth.hpp>
#include <zguard/batching.hpp>
#include <zguard/channel.hpp>
#include <zguard/context.hpp>
#include <zguard/envelope.hpp>
#include <zguard/detail/meta.hpp>
#include <zguard/detail/policy_set.hpp>
#include <zguard/keys.hpp>
#include <zguard/limits.hpp>
#include <zguard/pattern.hpp>
#include <zguard/permissions.hpp>
#include <zguard/security.hpp>
#include <zguard/signing.hpp>
#include <zguard/socket/arguments.hpp>
#include <zguard/transport.hpp>
#include <zguard/vouch.hpp>

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

// Whether a service's requests share one schema name (the call permission's
// subject): always for one schema, for a one_of when all its versions do.
template <class C>
consteval bool one_call_subject() {
  if constexpr (is_missing<C>) return true;
  else if constexpr (C::kind != channel_kind::service) return true;
  else return !common_schema_name<typename C::request_type>().empty();
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
  } else if constexpr (!one_call_subject<C>()) {
    static_assert(dependent_false<Z>,
                  "zguard::socket: authorized names a service by its request schema; a one_of<...> request "
                  "must be versions of one schema (the same name) to be authorized, so one call permission "
                  "covers exactly them");
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

// Concepts: no specialization can make another type a key.
template <class T, class A>
concept is_signing_key_of = std::is_same_v<T, signing_key<A>>;
template <class T, class A>
concept is_verify_keys_of = std::is_same_v<T, verify_keys<A>>;
// What the mechanism needs: Tr is the socket's traits (socket/traits.hpp).
template <class Tr, class... A>
constexpr bool check_mechanism_arguments() {
  using D = typename Tr::D;
  using M = typename Tr::M;
  constexpr bool has_auth = (std::is_same_v<A, authenticator<D>> || ...);
  constexpr bool other_auth =
      ((requires { typename A::domain_type; } && !std::is_same_v<A, authenticator<D>> &&
        !std::is_same_v<A, context<D>>) || ...);
  if constexpr (M::kind == mechanism_kind::curve && M::role == mechanism_role::server) {
    constexpr bool ok = std::is_same_v<type_list<A...>, type_list<authenticator<D>, keypair>>;
    static_assert(!other_auth, "zguard::socket: the authenticator belongs to another security domain (G10)");
    static_assert(other_auth || has_auth,
                  "zguard::socket: a CURVE server needs an authenticator of its context "
                  "(zguard::authenticator<D>): without a ZAP handler libzmq accepts every "
                  "client; write socket(ctx, auth, server_keypair) (G3)");
    static_assert(!has_auth || ok, "zguard::socket: a CURVE server is made as socket(ctx, auth, server_keypair) (G4)");
    return ok;
  } else if constexpr (M::kind == mechanism_kind::curve) {
    constexpr bool ok = std::is_same_v<type_list<A...>, type_list<keypair, public_key>>;
    static_assert(ok,
                  "zguard::socket: a CURVE client needs its own keypair and the server's "
                  "public key: socket(ctx, client_keypair, server_public_key) (G4)");
    return ok;
  } else if constexpr (M::kind == mechanism_kind::plain && M::role == mechanism_role::server) {
    constexpr bool ok = std::is_same_v<type_list<A...>, type_list<authenticator<D>>>;
    static_assert(!other_auth, "zguard::socket: the authenticator belongs to another security domain (G10)");
    static_assert(other_auth || ok,
                  "zguard::socket: a PLAIN server needs an authenticator of its context to "
                  "check passwords: socket(ctx, auth) (G2, G3)");
    return ok;
  } else if constexpr (M::kind == mechanism_kind::plain) {
    constexpr bool ok = std::is_same_v<type_list<A...>, type_list<plain_credentials>>;
    static_assert(ok,
                  "zguard::socket: a PLAIN client needs its credentials: "
                  "socket(ctx, zguard::plain_credentials{user, password})");
    return ok;
  } else {
    static_assert(sizeof...(A) == 0, "zguard::socket: a NULL socket takes no keys or authenticator");
    return sizeof...(A) == 0;
  }
}

// The whole argument list after the context (decayed types), against its
// layout (socket/arguments.hpp): each part in its place, then what the
// mechanism needs.
template <class Tr, class... A>
constexpr bool check_socket_arguments() {
  using at = argument_layout<Tr, sizeof...(A)>;
  using runtime_arg = typename nth_type<at::runtime_limits_at, A...>::type;
  using key_arg = typename nth_type<at::signing_keys_at, A...>::type;
  using keys_arg = typename nth_type<at::verify_keys_at, A...>::type;
  using vouch_arg = typename nth_type<at::vouch_at, A...>::type;
  using permissions_arg = typename nth_type<at::permissions_at, A...>::type;
  constexpr bool stray_runtime_limits = !at::runtime_limits_count && (std::is_same_v<A, runtime_limits> || ...);
  if constexpr (at::permissions_count && !std::is_same_v<permissions_arg, permissions>) {
    static_assert(dependent_false<permissions_arg>,
                  "zguard::socket: an authorized socket enforces a permission set: pass the "
                  "zguard::permissions (permissions::from_file or built in code) as the last constructor "
                  "argument (G18)");
    return false;
  } else if constexpr (at::vouch_count && !is_verify_keys_of<vouch_arg, blake2b_mac>) {
    static_assert(dependent_false<vouch_arg>,
                  "zguard::socket: a vouched<...> worker needs the key it shares with its broker: pass "
                  "zguard::verify_keys<zguard::blake2b_mac> after the signing keys, as the last constructor "
                  "argument or, on an authorized socket, just before the zguard::permissions");
    return false;
  } else if constexpr (at::runtime_limits_count && !std::is_same_v<runtime_arg, runtime_limits>) {
    static_assert(dependent_false<runtime_arg>,
                  "zguard::socket: a socket with ranged limit tags (send_hwm_in, recv_hwm_in, linger_ms_in, "
                  "send_timeout_ms_in, recv_timeout_ms_in) is given the chosen values: pass a "
                  "zguard::runtime_limits (or zguard::config::limits_for<Socket>) right after the mechanism's "
                  "arguments");
    return false;
  } else if constexpr (stray_runtime_limits) {
    static_assert(dependent_false<runtime_arg>,
                  "zguard::socket: this socket's limits are all fixed by its type: it takes no "
                  "zguard::runtime_limits (declare a ranged tag such as send_hwm_in<Lo, Hi> to choose a value "
                  "at start-up)");
    return false;
  } else if constexpr (at::signing_keys_count && !is_signing_key_of<key_arg, typename Tr::signing_algorithm>) {
    static_assert(dependent_false<key_arg>,
                  "zguard::socket: a signed socket that sends needs its signing key: pass "
                  "zguard::signing_key<Alg> of the socket's signing algorithm after the "
                  "mechanism's arguments (G7)");
    return false;
  } else if constexpr (at::verify_keys_count && !is_verify_keys_of<keys_arg, typename Tr::signing_algorithm>) {
    static_assert(dependent_false<keys_arg>,
                  "zguard::socket: a signed socket that receives needs the keys to verify "
                  "with: pass zguard::verify_keys<Alg> of the socket's signing algorithm after "
                  "the mechanism's arguments and the signing key (when it sends), before a vouched<...> "
                  "worker's key and the permissions (G7)");
    return false;
  } else {
    return []<std::size_t... I>(std::index_sequence<I...>) {
      return check_mechanism_arguments<Tr, typename nth_type<at::mechanism_first + I, A...>::type...>();
    }(std::make_index_sequence<at::mechanism_count>{});
  }
}

// The permissions a named object (A: the caller's argument types,
// references kept): the socket keeps a reference to them, so a reload
// reaches it. A wrong type is check_socket_arguments' to say. Asked by the
// core, and first by a facet that forwards the caller's arguments to it
// (the core then sees them named).
template <class Tr, class... A>
constexpr bool permissions_named() {
  using at = argument_layout<Tr, sizeof...(A)>;
  using given = typename nth_type<at::permissions_at, A...>::type;
  if constexpr (!at::permissions_count || !std::is_same_v<std::remove_cvref_t<given>, permissions>) {
    return true;
  } else {
    static_assert(std::is_lvalue_reference_v<given>,
                  "zguard::socket: the socket keeps a reference to its zguard::permissions (so a reload "
                  "reaches it): pass a named permissions object that outlives the socket, not a temporary");
    return std::is_lvalue_reference_v<given>;
  }
}

}  // namespace detail
}  // namespace v0
}  // namespace zguard
