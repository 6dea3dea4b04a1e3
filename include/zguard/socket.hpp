// zguard/socket.hpp - a socket whose type is its security policy.
//
//   zguard::socket<Domain, Transport, Pattern, Mechanism, Limits>
//
// in any order (policies are found by slot). The rules below are checked when
// the type is used; each failure is one static_assert whose text names the
// missing or wrong piece and the fix. The constructor then requires what the
// mechanism needs: a CURVE server its authenticator and keypair, a CURVE
// client its keypair and the server's public key, and so on.
#pragma once

#include <sys/stat.h>
#include <unistd.h>

#include <zmq.hpp>
#include <zmq_addon.hpp>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <stop_token>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <zguard/auth.hpp>
#include <zguard/channel.hpp>
#include <zguard/codec.hpp>
#include <zguard/context.hpp>
#include <zguard/detail/monitor.hpp>
#include <zguard/detail/policy_set.hpp>
#include <zguard/endpoint.hpp>
#include <zguard/envelope.hpp>
#include <zguard/keys.hpp>
#include <zguard/limits.hpp>
#include <zguard/pattern.hpp>
#include <zguard/rate_limit.hpp>
#include <zguard/router.hpp>
#include <zguard/security.hpp>
#include <zguard/signing.hpp>
#include <zguard/transport.hpp>
#include <zguard/vouch.hpp>

namespace zguard {
inline namespace v0 {

namespace detail {

template <class P>
using as_policy = std::conditional_t<Policy<P>, P, missing<void>>;

// Whether a policy's slot is one zguard has (a type naming another slot
// would be silently ignored).
template <class X>
inline constexpr bool known_slot = [] {
  if constexpr (Policy<X>) {
    using Sl = typename X::zguard_slot;
    return std::is_same_v<Sl, slot::domain> || std::is_same_v<Sl, slot::transport> ||
           std::is_same_v<Sl, slot::pattern> || std::is_same_v<Sl, slot::mechanism> ||
           std::is_same_v<Sl, slot::limits> || std::is_same_v<Sl, slot::channel> || std::is_same_v<Sl, slot::signing> ||
           std::is_same_v<Sl, slot::vouch>;
  } else {
    return false;
  }
}();

// The rules of G1, G2, G5, G6, G10, G12 for one combination. Stops at the
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
                  "REQ/REP/DEALER/ROUTER, topic<\"name\", S> PUB/XPUB/SUB/XSUB, stream<S> PUSH/PULL");
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
  } else if constexpr (!is_missing<C> && L::template has<limit_slot::max_message_size> &&
                       max_size_of<typename channel_sides<C, P>::sends>() > std::size_t(L::max_message_size)) {
    using Sc = typename channel_sides<C, P>::sends;  // schema_too_large names both sizes and the largest field
    return schema_too_large<Sc, max_encoded_size<Sc>, std::size_t(L::max_message_size), largest_field_name<Sc>,
                            largest_field_size<Sc>>();
  } else if constexpr (!is_missing<C> && L::template has<limit_slot::max_message_size> &&
                       max_size_of<typename channel_sides<C, P>::receives>() > std::size_t(L::max_message_size)) {
    using Sc = typename channel_sides<C, P>::receives;
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

inline std::string mechanism_label(mechanism_kind k, mechanism_role r, bool insecure) {
  std::string s = k == mechanism_kind::curve ? "CURVE" : k == mechanism_kind::plain ? "PLAIN" : "NULL";
  if (r == mechanism_role::server) s += " server";
  if (r == mechanism_role::client) s += " client";
  if (insecure) s += " (INSECURE)";
  return s;
}

// An ipc socket file bound so that no other user can reach it at any moment:
// libzmq binds it inside a fresh 0700 directory, we set its mode there, then
// rename() it into place atomically. The path was checked from '/' down
// (detail::check_ipc_path, just before): no other user can write the parent
// or rename any directory on the way, so nobody can swap a name between the
// check and the rename.
struct ipc_file {
  std::filesystem::path path;
  ino_t inode = 0;
};

inline ipc_file ipc_bind(zmq::socket_t& sock, std::string_view final_path, unsigned mode) {
  std::filesystem::path const target(final_path);
  std::string tmpl = (target.parent_path() / ".zguard-XXXXXX").string();
  if (!::mkdtemp(tmpl.data()))
    throw endpoint_error("zguard: cannot create a private directory next to '" + target.string() + "'");
  std::filesystem::path const tmp_dir(tmpl);
  auto const tmp_sock = tmp_dir / "s";
  auto cleanup = [&] {
    std::error_code ec;
    std::filesystem::remove(tmp_sock, ec);
    std::filesystem::remove(tmp_dir, ec);
  };
  if (tmp_sock.string().size() + 1 > sizeof(sockaddr_un{}.sun_path)) {
    cleanup();
    throw endpoint_error("zguard: ipc path '" + target.string() +
                         "' leaves no room for the private bind directory; use a shorter path");
  }
  try {
    sock.bind("ipc://" + tmp_sock.string());
  } catch (...) {
    cleanup();
    throw;
  }
  struct stat st {};
  if (::chmod(tmp_sock.c_str(), mode) != 0 || ::lstat(tmp_sock.c_str(), &st) != 0 ||
      ::rename(tmp_sock.c_str(), target.c_str()) != 0) {
    sock.unbind("ipc://" + tmp_sock.string());
    cleanup();
    throw endpoint_error("zguard: could not move the ipc socket into place at '" + target.string() + "'");
  }
  cleanup();
  return {target, st.st_ino};
}

}  // namespace detail

// Peer facts libzmq attaches to each received message.
struct peer_info {
  std::string user_id;       // set by the authenticator: Z85 key (CURVE), user name (PLAIN)
  std::string peer_address;  // IP for tcp
  // Behind a vouching broker (a vouched<...> socket): the client's
  // authenticated id as the broker saw it, checked with the shared key.
  // Empty on other sockets.
  std::string vouched_client;
};

// received<T>, verified<T> and routed<T> vouch for what zguard checked (the
// peer's authenticated id, the signature, the reply handle): only a socket
// makes them, and their members are const, so neither a change in place nor
// an assignment can put unchecked content under the checked type. Copies
// carry the same facts. Take the value out with a copy (or bind a const&).
namespace detail {
template <class Self, class... Args>
inline constexpr bool made_only_by_socket =
    !(sizeof...(Args) == 1 && (std::is_same_v<std::remove_cvref_t<Args>, Self> && ...));
}  // namespace detail

// A decoded message and who sent it.
template <class Msg>
class received {
 public:
  template <class... Args>
    requires detail::made_only_by_socket<received, Args...>
  explicit received(Args&&...) : received(refused()) {  // NOLINT: exists only to explain why it cannot be used
    static_assert(detail::dependent_false<void(Args...)>,
                  "zguard::received<T>: only a socket's receive_message() makes one; it vouches for "
                  "the peer's authenticated identity");
  }
  received(received const&) = default;
  received& operator=(received const&) {  // NOLINT: exists only to explain why it cannot be used
    static_assert(detail::dependent_false<Msg>,
                  "zguard::received<T>: cannot be assigned; what it vouches for stays as the socket made "
                  "it (copy-construct a new one instead)");
    return *this;
  }

  Msg const value;
  peer_info const peer;

 private:
  received(Msg v, peer_info p)  // zguard: only a socket makes a received<T>
      : value(std::move(v)), peer(std::move(p)) {}
  static received const& refused();  // never defined: only the diagnostic above is reached
  template <class... Ps>
  friend class socket;
};

// A message whose envelope verified (signature, key, topic, freshness,
// replay) and whose payload decoded. Only a signed socket makes one.
template <class Msg>
class verified {
 public:
  template <class... Args>
    requires detail::made_only_by_socket<verified, Args...>
  explicit verified(Args&&...) : verified(refused()) {  // NOLINT: exists only to explain why it cannot be used
    static_assert(detail::dependent_false<void(Args...)>,
                  "zguard::verified<T>: only a signed socket's receive_message() makes one, after "
                  "the signature, key, topic, freshness and replay checks passed (G7)");
  }
  verified(verified const&) = default;
  verified& operator=(verified const&) {  // NOLINT: exists only to explain why it cannot be used
    static_assert(detail::dependent_false<Msg>,
                  "zguard::verified<T>: cannot be assigned; what it vouches for stays as the socket made "
                  "it (copy-construct a new one instead)");
    return *this;
  }

  Msg const value;
  signed_origin const origin;  // key id, publisher epoch, sequence, timestamp
  peer_info const peer;

 private:
  verified(Msg v, signed_origin o, peer_info p)  // zguard: only a signed socket makes a verified<T>
      : value(std::move(v)), origin(o), peer(std::move(p)) {}
  static verified const& refused();  // never defined: only the diagnostic above is reached
  template <class... Ps>
  friend class socket;
};

// A message a ROUTER received: the value, the peer facts, the handle to
// reply with (bound to the sender's authenticated key), and on a signed
// socket who signed it.
template <class Msg>
class routed {
 public:
  template <class... Args>
    requires detail::made_only_by_socket<routed, Args...>
  explicit routed(Args&&...) : routed(refused()) {  // NOLINT: exists only to explain why it cannot be used
    static_assert(detail::dependent_false<void(Args...)>,
                  "zguard::routed<T>: only a ROUTER's receive_message() makes one; its peer_handle "
                  "is bound to the sender's authenticated key (G8)");
  }
  routed(routed const&) = default;
  routed& operator=(routed const&) {  // NOLINT: exists only to explain why it cannot be used
    static_assert(detail::dependent_false<Msg>,
                  "zguard::routed<T>: cannot be assigned; what it vouches for stays as the socket made "
                  "it (copy-construct a new one instead)");
    return *this;
  }

  Msg const value;
  peer_info const peer;
  peer_handle const from;
  signed_origin const origin;  // zero unless the socket verifies signatures

 private:
  routed(Msg v, peer_info p, peer_handle h, signed_origin o)  // zguard: only a ROUTER makes a routed<T>
      : value(std::move(v)), peer(std::move(p)), from(std::move(h)), origin(o) {}
  static routed const& refused();  // never defined: only the diagnostic above is reached
  template <class... Ps>
  friend class socket;
};

namespace detail {
// What a signed socket holds: a signer where its channel sends, a verifier
// where it receives; nothing for unsigned sockets.
struct no_signing_part {};
template <class S, bool Has>
struct signer_part {
  using type = no_signing_part;
};
template <class S>
struct signer_part<S, true> {
  using type = std::optional<signer<typename S::algorithm>>;
};
template <class S, bool Has>
struct verifier_part {
  using type = no_signing_part;
};
template <class S>
struct verifier_part<S, true> {
  using type = std::optional<verifier<typename S::algorithm, S::freshness, S::window>>;
};
template <class S>
struct signing_algorithm {
  using type = void;
};
template <class S>
  requires requires { typename S::algorithm; }
struct signing_algorithm<S> {
  using type = typename S::algorithm;
};
template <class T, class A>
inline constexpr bool is_signing_key_of = false;
template <class A>
inline constexpr bool is_signing_key_of<signing_key<A>, A> = true;
template <class T, class A>
inline constexpr bool is_verify_keys_of = false;
template <class A>
inline constexpr bool is_verify_keys_of<verify_keys<A>, A> = true;
template <class L>
inline constexpr bool rate_limited_v = false;
template <class L>
  requires requires { L::rate_limited; }
inline constexpr bool rate_limited_v<L> = L::rate_limited;
template <std::size_t I, class... A>
struct nth_type {
  using type = void;
};
template <std::size_t I, class... A>
  requires(I < sizeof...(A))
struct nth_type<I, A...> {
  using type = std::tuple_element_t<I, std::tuple<A...>>;
};
}  // namespace detail

inline peer_info peer_of(zmq::message_t const& msg) {
  peer_info p;
  if (char const* v = zmq_msg_gets(msg.handle(), "User-Id")) p.user_id = v;
  if (char const* v = zmq_msg_gets(msg.handle(), "Peer-Address")) p.peer_address = v;
  return p;
}

namespace detail {
struct socket_access;
}  // namespace detail

// A socket whose libzmq options no longer match its type (changed behind
// zguard's back): it refuses to bind or connect.
struct socket_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

template <class... Policies>
class socket {
 public:
  using domain_type = detail::find_policy_t<slot::domain, detail::as_policy<Policies>...>;
  using transport_type = detail::find_policy_t<slot::transport, detail::as_policy<Policies>...>;
  using pattern_type = detail::find_policy_t<slot::pattern, detail::as_policy<Policies>...>;
  using mechanism_type = detail::find_policy_t<slot::mechanism, detail::as_policy<Policies>...>;
  using limits_type = detail::find_policy_t<slot::limits, detail::as_policy<Policies>...>;
  // Optional: without a channel the socket carries raw frames.
  using channel_type = detail::find_policy_t<slot::channel, detail::as_policy<Policies>...>;
  // Optional: zguard::signing<Alg, ...> signs what the channel sends and
  // verifies what it receives.
  using signing_type = detail::find_policy_t<slot::signing, detail::as_policy<Policies>...>;
  // Optional: zguard::vouched<blake2b_mac, ...> checks a broker's vouch on
  // every request (vouch.hpp).
  using vouch_type = detail::find_policy_t<slot::vouch, detail::as_policy<Policies>...>;

 private:
  static_assert((detail::known_slot<Policies> && ...),
                "zguard::socket: every argument must be a zguard policy: a domain<\"name\">, a "
                "transport, a pattern, a mechanism, a limits<...>, a channel, a signing<...> or a vouched<...>");
  static_assert(detail::count_policy<slot::domain, detail::as_policy<Policies>...> <= 1 &&
                    detail::count_policy<slot::transport, detail::as_policy<Policies>...> <= 1 &&
                    detail::count_policy<slot::pattern, detail::as_policy<Policies>...> <= 1 &&
                    detail::count_policy<slot::mechanism, detail::as_policy<Policies>...> <= 1 &&
                    detail::count_policy<slot::limits, detail::as_policy<Policies>...> <= 1 &&
                    detail::count_policy<slot::channel, detail::as_policy<Policies>...> <= 1 &&
                    detail::count_policy<slot::signing, detail::as_policy<Policies>...> <= 1 &&
                    detail::count_policy<slot::vouch, detail::as_policy<Policies>...> <= 1,
                "zguard::socket: two policies fill the same slot (one domain, transport, "
                "pattern, mechanism, limits, channel, signing and vouched each)");
  // Only zguard's own tags fill a slot: the rules compare with those exact
  // types, so a derived or look-alike type (struct lan_tcp : tcp {}) could
  // change a rule's outcome. Checked here, before any member names T.
  static_assert(detail::is_missing<domain_type> || SecurityDomain<domain_type>,
                "zguard::socket: the domain slot holds a type that is not a zguard::domain<\"name\">; "
                "derived or hand-written tags are refused (only zguard's own tags fill a slot)");
  static_assert(detail::is_missing<transport_type> || Transport<transport_type>,
                "zguard::socket: the transport slot holds a type that is not a zguard transport tag "
                "(tcp, ipc, inproc, pgm, epgm); derived or hand-written tags are refused");
  static_assert(detail::is_missing<pattern_type> || Pattern<pattern_type>,
                "zguard::socket: the pattern slot holds a type that is not a zguard pattern tag "
                "(req, rep, dealer, router, pub, sub, xpub, xsub, push, pull, pair); derived or "
                "hand-written tags are refused");
  static_assert(detail::is_missing<mechanism_type> || Mechanism<mechanism_type>,
                "zguard::socket: the mechanism slot holds a type that is not a zguard mechanism tag "
                "(curve_server, curve_client, plain_server, plain_client, null_mechanism, "
                "insecure<\"reason\">); derived or hand-written tags are refused");
  static_assert(detail::is_missing<limits_type> || Limits<limits_type>,
                "zguard::socket: the limits slot holds a type that is not a zguard::limits<...>; "
                "derived or hand-written limits are refused");
  static_assert(detail::is_missing<channel_type> || Channel<channel_type>,
                "zguard::socket: the channel slot holds a type that is not a zguard::service<...>, "
                "topic<...> or stream<...>; derived or hand-written channels are refused");
  static_assert(detail::is_missing<signing_type> || SigningPolicy<signing_type>,
                "zguard::socket: the signing slot holds a type that is not a zguard::signing<...>; "
                "derived or hand-written signing policies are refused");
  static_assert(detail::is_missing<vouch_type> || VouchPolicy<vouch_type>,
                "zguard::socket: the vouch slot holds a type that is not a zguard::vouched<...>; "
                "derived or hand-written policies are refused");

 public:
  static constexpr bool valid = detail::check_vouch_rules<
      detail::check_socket_rules<domain_type, transport_type, pattern_type, mechanism_type, limits_type,
                                 channel_type, signing_type>(),
      vouch_type, channel_type, pattern_type>();

  using D = domain_type;
  using T = transport_type;
  using P = pattern_type;
  using M = mechanism_type;
  using L = limits_type;
  using C = channel_type;
  using S = signing_type;
  static constexpr bool typed = !detail::is_missing<C>;
  static constexpr bool is_signed = !detail::is_missing<S>;
  using signing_algorithm = typename detail::signing_algorithm<S>::type;  // void when unsigned
  // A signed socket signs what its channel sends and verifies what it receives.
  static constexpr bool signs = is_signed && typed &&
      !std::is_same_v<typename detail::channel_sides<C, P>::sends, detail::nothing_carried>;
  static constexpr bool verifies = is_signed && typed &&
      !std::is_same_v<typename detail::channel_sides<C, P>::receives, detail::nothing_carried>;
  // A vouched<...> worker checks the broker's vouch on every request.
  static constexpr bool checks_vouch = !detail::is_missing<vouch_type>;

  // socket(ctx)                           NULL / insecure<...>
  // socket(ctx, authenticator, keypair)   CURVE server
  // socket(ctx, keypair, server_public)   CURVE client
  // socket(ctx, authenticator)            PLAIN server
  // socket(ctx, plain_credentials)        PLAIN client
  // A signed socket takes, after those, its signing_key<Alg> where it sends
  // and its verify_keys<Alg> where it receives (both, in that order, on
  // patterns that do both). A vouched<...> worker takes, last of all, its
  // verify_keys<blake2b_mac> (the key it shares with its broker).
  // A socket whose policies break a rule: check_socket_rules() has said
  // which, in one static_assert; this overload only keeps the compiler from
  // adding a "no matching constructor" error after it.
  template <class Ctx, class... Args>
  explicit socket(Ctx&, Args&&...) requires(!valid) {}
  template <class Ctx, class... Args>
  explicit socket(Ctx& ctx, Args&&... args) requires(valid)
      : log_(&context_of(ctx).events()), sock_(ctx.native(), P::zmq_type) {
    constexpr bool arguments_ok = check_arguments<std::remove_cvref_t<Args>...>();
    apply_limits();
    sock_.set(zmq::sockopt::zap_domain, std::string(D::name));  // with no domain CURVE skips ZAP
    if constexpr (arguments_ok) {  // no cascade after a failed assert
      auto all = std::forward_as_tuple(args...);
      constexpr std::size_t n_mechanism = sizeof...(Args) - signing_arguments - vouch_arguments;
      [&]<std::size_t... I>(std::index_sequence<I...>) {
        apply_mechanism(ctx, std::get<I>(all)...);
      }(std::make_index_sequence<n_mechanism>{});
      if constexpr (signs) signer_.emplace(std::get<n_mechanism>(all));
      if constexpr (verifies) verifier_.emplace(std::get<n_mechanism + std::size_t(signs)>(all));
      if constexpr (checks_vouch) vouch_.emplace(std::get<sizeof...(Args) - 1>(all));
    }
    if constexpr (typed && (std::is_same_v<P, sub>)) sock_.set(zmq::sockopt::subscribe, C::name);
    // A ROUTER reads its own monitor: it must know which connections are
    // open before it sends a reply (G8).
    if constexpr (T::carries_mechanism)
      monitor_ = std::make_unique<detail::socket_monitor>(
          ctx.native(), sock_, *log_, label(), is_router ? detail::monitor_mode::owner : detail::monitor_mode::thread);
    if constexpr (zap_kind >= 0) {
      zap_count_ = &context_of(ctx);
      zap_count_->count_zap_socket(zap_kind, +1);
    }
    if constexpr (M::is_insecure)
      log_->emit("socket.insecure", severity::warning,
                 {{"socket", label()}, {"reason", std::string(M::reason)}});
  }
  socket(socket const&) = delete;
  socket& operator=(socket const&) = delete;
  ~socket() {
    if constexpr (valid)  // an invalid socket was never set up (and its D, T may be missing)
      if constexpr (zap_kind >= 0)
      if (zap_count_) zap_count_->count_zap_socket(zap_kind, -1);
    monitor_.reset();
    sock_.close();
    for (auto const& f : ipc_files_) {  // remove our socket files, not someone else's
      struct stat st {};
      if (::lstat(f.path.c_str(), &st) == 0 && st.st_ino == f.inode) ::unlink(f.path.c_str());
    }
  }

  // --- binding and connecting -------------------------------------------

  bound_endpoint<D, T, P, M> bind(std::string_view address) requires(!std::is_same_v<T, inproc>) {
    endpoint<T> ep(address);
    return bind(ep);
  }
  // A template so that a socket with a wrong transport (refused above) does
  // not also fail on endpoint<T> in this signature: one error, not two.
  template <class E>
    requires(std::is_same_v<E, endpoint<T>> && !std::is_same_v<T, inproc>)
  bound_endpoint<D, T, P, M> bind(E const& ep) {
    using bound = bound_endpoint<D, T, P, M>;
    if constexpr (std::is_same_v<T, ipc>) {
      // Checked again now: the endpoint may have been made long ago.
      detail::check_ipc_path(ep.str(), ep.address());
      check_declared_options();
      ipc_files_.push_back(detail::ipc_bind(sock_, ep.address(), ep.ipc_mode()));
      return bound::from_bind(ep.str());
    } else {
      if constexpr (std::is_same_v<T, tcp>) use_ipv6_for(ep);
      check_declared_options();
      sock_.bind(ep.str());
      return bound::from_bind(sock_.get(zmq::sockopt::last_endpoint));
    }
  }
  template <class D2>
  bound_endpoint<D, T, P, M> bind(endpoint<inproc, D2> const& ep) requires std::is_same_v<T, inproc> {
    static_assert(std::is_same_v<D2, D>,
                  "zguard::socket::bind: this inproc endpoint belongs to another security domain (G10)");
    check_declared_options();
    sock_.bind(ep.str());
    return bound_endpoint<D, T, P, M>::from_bind(ep.str());
  }

  void connect(std::string_view address) requires(!std::is_same_v<T, inproc>) {
    endpoint<T> ep(address);
    if constexpr (std::is_same_v<T, tcp>) use_ipv6_for(ep);
    check_declared_options();
    sock_.connect(ep.str());
  }
  template <class D2>
  void connect(endpoint<inproc, D2> const& ep) requires std::is_same_v<T, inproc> {
    static_assert(std::is_same_v<D2, D>,
                  "zguard::socket::connect: this inproc endpoint belongs to another security domain (G10)");
    check_declared_options();
    sock_.connect(ep.str());
  }
  // Connect to an endpoint bound in this program: the pair is checked.
  template <class D2, class T2, class P2, class M2>
  void connect(bound_endpoint<D2, T2, P2, M2> const& ep) {
    static_assert(std::is_same_v<D2, D>,
                  "zguard::socket::connect: the bound endpoint belongs to another security domain (G10)");
    static_assert(std::is_same_v<T2, T>, "zguard::socket::connect: the bound endpoint uses another transport");
    static_assert(compatible_patterns<P, P2>,
                  "zguard::socket::connect: these socket patterns cannot talk to each other "
                  "(e.g. PUSH to SUB); see zguard::compatible_patterns");
    static_assert(compatible_mechanisms<M, M2>,
                  "zguard::socket::connect: the security mechanisms do not match (CURVE client "
                  "<-> CURVE server, PLAIN client <-> PLAIN server, NULL <-> NULL)");
    // Checked again: an ipc path's directories may have been opened to
    // others since bind() (a swapped directory would hold another socket).
    if constexpr (std::is_same_v<T, tcp>) use_ipv6_for(endpoint<T>(ep.address));
    if constexpr (std::is_same_v<T, ipc>) (void)endpoint<T>(ep.address);
    check_declared_options();
    sock_.connect(ep.address);
  }

  // --- sending and receiving --------------------------------------------
  // Raw frames exist only on unsigned sockets: a signed socket must not be
  // able to send an unsigned message or read an unverified one (G7).

  // Sends one frame (more = another frame follows). Returns false when the
  // message could not be queued within send_timeout_ms, or (ROUTER with
  // block_when_full) the peer is unknown; both are logged.
  [[nodiscard]] bool send(zmq::const_buffer frame, bool more = false) requires(SendingPattern<P> && !is_signed && !std::is_same_v<P, router>) {
    return send_frame(frame, more);
  }
  [[nodiscard]] bool send(zmq::message_t& msg, bool more = false) requires(SendingPattern<P> && !is_signed && !std::is_same_v<P, router>) {
    return send_frame(zmq::const_buffer(msg.data(), msg.size()), more);
  }
  [[nodiscard]] bool send(std::string_view text, bool more = false) requires(SendingPattern<P> && !is_signed && !std::is_same_v<P, router>) {
    return send_frame(zmq::buffer(text), more);
  }
  // Where an operation is absent, a call still finds a member: its body says
  // why, as the first and only error (not "no matching function").
  template <class... A>
  [[nodiscard]] bool send(A&&...) requires(!(SendingPattern<P> && !is_signed && !std::is_same_v<P, router>)) {
    if constexpr (!valid) {  // the socket's own rule already failed: say nothing more
    } else if constexpr (!SendingPattern<P>) {
      static_assert(detail::dependent_false<P>,
                    "zguard::socket::send: this socket's pattern only receives (SUB, PULL), so it has no "
                    "send(); a SUB chooses what it receives with its topic channel or subscribe()");
    } else if constexpr (std::is_same_v<P, router>) {
      static_assert(detail::dependent_false<P>,
                    "zguard::socket::send: a ROUTER has no raw send(): raw frames would let any routing id be "
                    "addressed, whoever holds it now; give it a channel (replies go by peer_handle, bound to "
                    "the sender's key and connection) or use it as a proxy front (G8)");
    } else {
      static_assert(detail::dependent_false<S>,
                    "zguard::socket::send: a signed socket has no raw send(): its receivers trust every "
                    "message from it to be signed; send typed messages with send_message(), which "
                    "seals them (G7)");
    }
    return false;
  }

  // One frame, or nullopt when nothing arrived within recv_timeout_ms.
  // A signal interrupting the wait also gives nullopt, so loops can check
  // their stop condition.
  std::optional<zmq::message_t> recv() requires(ReceivingPattern<P> && !is_signed && !std::is_same_v<P, router>) { return recv_frame(); }
  // All frames of one message, or nullopt on timeout.
  std::optional<std::vector<zmq::message_t>> recv_multipart() requires(ReceivingPattern<P> && !is_signed && !std::is_same_v<P, router>) {
    return recv_frames();
  }
  std::optional<zmq::message_t> recv() requires(!(ReceivingPattern<P> && !is_signed && !std::is_same_v<P, router>)) {
    if constexpr (!valid) {
    } else if constexpr (!ReceivingPattern<P>) {
      static_assert(detail::dependent_false<P>,
                    "zguard::socket::recv: this socket's pattern only sends (PUB, PUSH), so it has no recv()");
    } else if constexpr (std::is_same_v<P, router>) {
      static_assert(detail::dependent_false<P>,
                    "zguard::socket::recv: a ROUTER has no raw recv(): raw frames would let any routing id be "
                    "addressed, whoever holds it now; give it a channel (replies go by peer_handle, bound to "
                    "the sender's key and connection) or use it as a proxy front (G8)");
    } else {
      static_assert(detail::dependent_false<S>,
                    "zguard::socket::recv: a signed socket has no raw recv(): its frames are not verified; "
                    "receive_message() hands out only verified<T> (G7)");
    }
    return std::nullopt;
  }
  std::optional<std::vector<zmq::message_t>> recv_multipart() requires(!(ReceivingPattern<P> && !is_signed && !std::is_same_v<P, router>)) {
    if constexpr (!valid) {
    } else if constexpr (!ReceivingPattern<P>) {
      static_assert(detail::dependent_false<P>,
                    "zguard::socket::recv_multipart: this socket's pattern only sends (PUB, PUSH), so it "
                    "has no recv_multipart()");
    } else if constexpr (std::is_same_v<P, router>) {
      static_assert(detail::dependent_false<P>,
                    "zguard::socket::recv_multipart: a ROUTER has no raw recv_multipart(): raw frames would let any routing id be "
                    "addressed, whoever holds it now; give it a channel (replies go by peer_handle, bound to "
                    "the sender's key and connection) or use it as a proxy front (G8)");
    } else {
      static_assert(detail::dependent_false<S>,
                    "zguard::socket::recv_multipart: a signed socket has no raw recv_multipart(): its "
                    "frames are not verified; receive_message() hands out only verified<T> (G7)");
    }
    return std::nullopt;
  }

  void subscribe(std::string_view prefix) requires std::is_same_v<P, sub> {
    sock_.set(zmq::sockopt::subscribe, prefix);
  }
  template <class... A>
  void subscribe(A&&...) requires(!std::is_same_v<P, sub>) {
    static_assert(!valid || detail::dependent_false<P>,
                  "zguard::socket::subscribe: only a SUB socket subscribes (an XSUB sends its "
                  "subscriptions as messages; other patterns receive everything sent to them)");
  }

  // --- REQ: request with timeout and recovery (G6) --------------------------
  // REQ_RELAXED lets a new request go out after a lost reply, REQ_CORRELATE
  // discards late replies to the old one; libzmq reconnects by itself. Each
  // attempt waits recv_timeout_ms; nullopt after `attempts` timeouts.
  std::optional<zmq::message_t> request(zmq::const_buffer body, int attempts = 3)
    requires(std::is_same_v<P, req> && !is_signed)
  {
    for (int i = 1; i <= attempts; ++i) {
      if (!send_frame(body)) continue;
      if (auto reply = recv_frame()) return reply;
      log_->emit("req.timeout", severity::warning, {{"socket", label()}, {"attempt", std::to_string(i)}});
    }
    log_->emit("req.gave_up", severity::warning, {{"socket", label()}, {"attempts", std::to_string(attempts)}});
    return std::nullopt;
  }
  std::optional<zmq::message_t> request(std::string_view body, int attempts = 3)
    requires(std::is_same_v<P, req> && !is_signed)
  {
    return request(zmq::buffer(body), attempts);
  }
  template <class... A>
  std::optional<zmq::message_t> request(A&&...) requires(!(std::is_same_v<P, req> && !is_signed)) {
    if constexpr (!valid) {
    } else if constexpr (!std::is_same_v<P, req>) {
      static_assert(detail::dependent_false<P>,
                    "zguard::socket::request: only a REQ socket has request(): it relies on REQ's "
                    "lock-step with REQ_RELAXED and REQ_CORRELATE to retry a lost reply");
    } else {
      static_assert(detail::dependent_false<S>,
                    "zguard::socket::request: a signed REQ has no raw request(): the reply must be "
                    "verified and the request signed; use call() (G7)");
    }
    return std::nullopt;
  }

  // --- REP: the service loop ------------------------------------------------
  // Calls handler(request, peer_info) -> reply for every request until stop
  // is requested; wakes at least every recv_timeout_ms to check. A handler
  // that throws gets the request answered with an empty frame (REP must
  // answer to go on) and a "handler.error" event.
  template <class Handler>
  void serve(Handler&& handler, std::stop_token stop) requires(std::is_same_v<P, rep> && !is_signed) {
    while (!stop.stop_requested()) {
      auto request = recv_frame();
      if (!request) continue;
      auto peer = peer_of(*request);
      std::string reply;
      try {
        reply = std::string(handler(*request, peer));
      } catch (std::exception const& e) {
        log_->emit("handler.error", severity::warning,
                   {{"socket", label()}, {"user_id", peer.user_id}, {"what", e.what()}});
        reply.clear();
      }
      (void)send_frame(zmq::buffer(reply));
    }
  }
  template <class... A>
  void serve(A&&...) requires(!(std::is_same_v<P, rep> && !is_signed)) {
    if constexpr (!valid) {
    } else if constexpr (!std::is_same_v<P, rep>) {
      static_assert(detail::dependent_false<P>,
                    "zguard::socket::serve: only a REP socket has serve(); a ROUTER with a "
                    "service<Req, Rep> channel serves with serve_messages()");
    } else {
      static_assert(detail::dependent_false<S>,
                    "zguard::socket::serve: a signed REP has no raw serve(): requests must be verified "
                    "and replies signed; use serve_messages() (G7)");
    }
  }

  // --- typed messages (with a channel policy) --------------------------------

  static constexpr bool is_router = std::is_same_v<P, router>;
  // What receive_message gives: received<T>, verified<T> on a signed socket,
  // routed<T> on a ROUTER.
  template <class Msg>
  using delivery =
      std::conditional_t<is_router, routed<Msg>, std::conditional_t<verifies, verified<Msg>, received<Msg>>>;

  // Sends one message of the channel's schema (a topic channel sends the
  // topic frame first; a signed socket seals it in an envelope). False on
  // timeout, as send().
  template <class Msg>
  [[nodiscard]] bool send_message(Msg const& msg) requires(typed && SendingPattern<P> && !is_router) {
    static_assert(std::is_same_v<Msg, typename detail::channel_sides<C, P>::sends>,
                  "zguard::socket::send_message: this socket's channel does not carry that type; "
                  "see the channel policy (service, topic, stream)");
    zmq::message_t frame(encoded_size(msg));
    encode_into(msg, static_cast<std::uint8_t*>(frame.data()));
    return send_payload(frame);
  }

  // ROUTER: a reply to the peer a message came from. False (and logged) when
  // the routing id is now bound to another key, or the peer is gone (with
  // block_when_full, ROUTER_MANDATORY makes that an error, not a silent drop).
  template <class Msg>
  [[nodiscard]] bool send_message(peer_handle const& to, Msg const& msg) requires(typed && is_router) {
    static_assert(std::is_same_v<Msg, typename detail::channel_sides<C, P>::sends>,
                  "zguard::socket::send_message: this socket's channel does not carry that type; "
                  "see the channel policy (service, topic, stream)");
    zmq::message_t frame(encoded_size(msg));
    encode_into(msg, static_cast<std::uint8_t*>(frame.data()));
    return send_to(to, frame);
  }

  // The next well-formed message, or nullopt when none came within
  // recv_timeout_ms (also while refused messages keep arriving). Malformed messages are refused, logged as
  // "message.refused" and counted; a REP socket answers them with a
  // zguard::refusal so the client learns why; the socket keeps serving.
  // On a signed socket, envelopes that fail verification are dropped and
  // logged as "verify.<reason>"; only verified messages are returned.
  template <class Msg>
  std::optional<delivery<Msg>> receive_message() requires(typed && ReceivingPattern<P>) {
    using expected = typename detail::channel_sides<C, P>::receives;
    static_assert(std::is_same_v<Msg, expected>,
                  "zguard::socket::receive_message<T>: T is not what this socket's channel delivers");
    for (;;) {
      auto in = next_payload();
      if (!in) return std::nullopt;
      auto decoded = decode<Msg>(in->payload);
      if (!decoded) {
        refuse(&in->frames.back(), decoded.error());
        answer_refusal(*in, decoded.error().reason, decoded.error().field);
        if constexpr (std::is_same_v<P, req>) return std::nullopt;  // REQ must send before it may receive again
        continue;
      }
      if constexpr (is_router)
        return routed<Msg>{std::move(decoded.value()), std::move(in->peer), std::move(*in->from), in->origin};
      else if constexpr (verifies) return verified<Msg>(std::move(decoded.value()), in->origin, std::move(in->peer));
      else return received<Msg>{std::move(decoded.value()), std::move(in->peer)};
    }
  }

  // REQ: one request, its reply decoded. nullopt when no reply came in
  // `attempts` tries; an error result when the reply was malformed or the
  // service refused the request (reason peer_refused, field says why).
  template <class Req>
  std::optional<result<typename detail::channel_sides<C, P>::receives>> call(Req const& request, int attempts = 3)
    requires(typed && std::is_same_v<P, req>)
  {
    using reply_type = typename detail::channel_sides<C, P>::receives;
    static_assert(std::is_same_v<Req, typename detail::channel_sides<C, P>::sends>,
                  "zguard::socket::call: this socket's channel does not carry that request type");
    zmq::message_t frame(encoded_size(request));
    encode_into(request, static_cast<std::uint8_t*>(frame.data()));
    for (int i = 1; i <= attempts; ++i) {
      if (!send_payload(frame)) continue;
      auto in = next_payload();
      if (!in) {
        log_->emit("req.timeout", severity::warning, {{"socket", label()}, {"attempt", std::to_string(i)}});
        continue;
      }
      auto decoded = decode<reply_type>(in->payload);
      if (decoded) return decoded;
      if (auto r = decode<refusal>(in->payload))
        return result<reply_type>(decode_error{decode_reason::peer_refused,
                                               std::string(to_string(static_cast<decode_reason>(r->reason))) +
                                                   (r->field.size() ? " at " + r->field.str() : ""),
                                               0});
      refuse(&in->frames.back(), decoded.error());
      return decoded;
    }
    log_->emit("req.gave_up", severity::warning, {{"socket", label()}, {"attempts", std::to_string(attempts)}});
    return std::nullopt;
  }

  // REP: answers every well-formed request with handler(request, peer)
  // until stop is requested; malformed requests get a refusal. On a signed
  // socket the handler gets the verified request's origin as well:
  // handler(request, peer, origin).
  // A ROUTER serves the same way, each reply going back to its sender.
  template <class Handler>
  void serve_messages(Handler&& handler, std::stop_token stop) requires(typed && (std::is_same_v<P, rep> || is_router)) {
    using request_type = typename detail::channel_sides<C, P>::receives;
    while (!stop.stop_requested()) {
      auto got = receive_message<request_type>();
      if (!got) continue;
      try {
        auto reply = [&] {
          if constexpr (verifies) return handler(got->value, got->peer, got->origin);
          else return handler(got->value, got->peer);
        }();
        if constexpr (is_router) (void)send_message(got->from, reply);
        else (void)send_message(reply);
      } catch (std::exception const& e) {
        log_->emit("handler.error", severity::warning,
                   {{"socket", label()}, {"user_id", got->peer.user_id}, {"what", e.what()}});
        if constexpr (is_router) send_refusal_to(got->from, decode_reason::peer_refused, "handler error");
        else reply_refusal(decode_reason::peer_refused, "handler error");
      }
    }
  }

  // What this socket offers. An absent operation still has a member, whose
  // body says why it is absent, so generic code asks these instead of
  // whether a call compiles.
  static constexpr bool offers_send = SendingPattern<P> && !is_signed && !std::is_same_v<P, router>;
  static constexpr bool offers_recv = ReceivingPattern<P> && !is_signed && !std::is_same_v<P, router>;
  static constexpr bool offers_subscribe = std::is_same_v<P, sub>;
  static constexpr bool offers_request = std::is_same_v<P, req> && !is_signed;
  static constexpr bool offers_serve = std::is_same_v<P, rep> && !is_signed;
  static constexpr bool offers_send_message = typed && SendingPattern<P>;  // a ROUTER's takes the peer first
  static constexpr bool offers_receive_message = typed && ReceivingPattern<P>;
  static constexpr bool offers_call = typed && std::is_same_v<P, req>;
  static constexpr bool offers_serve_messages = typed && (std::is_same_v<P, rep> || is_router);

  // Typed operations this socket lacks: each says why (see send() above).
  template <class Msg>
  [[nodiscard]] bool send_message(Msg const&) requires(!(typed && SendingPattern<P> && !is_router)) {
    if constexpr (!valid) {
    } else if constexpr (!typed) {
      static_assert(detail::dependent_false<Msg>,
                    "zguard::socket::send_message: this socket has no channel, so it carries no typed "
                    "messages; add zguard::service, topic or stream to its policies (send() sends raw frames)");
    } else if constexpr (!SendingPattern<P>) {
      static_assert(detail::dependent_false<Msg>,
                    "zguard::socket::send_message: this socket's pattern only receives (SUB, PULL); it sends nothing");
    } else {
      static_assert(detail::dependent_false<Msg>,
                    "zguard::socket::send_message: a ROUTER only replies, to the peer a request came from: "
                    "send_message(got->from, reply) with the peer_handle from receive_message() (G8)");
    }
    return false;
  }
  template <class Msg>
  [[nodiscard]] bool send_message(peer_handle const&, Msg const&) requires(!(typed && is_router)) {
    if constexpr (!valid) {
    } else if constexpr (!typed) {
      static_assert(detail::dependent_false<Msg>,
                    "zguard::socket::send_message: this socket has no channel, so it carries no typed "
                    "messages; add zguard::service<Req, Rep> to its policies");
    } else {
      static_assert(detail::dependent_false<Msg>,
                    "zguard::socket::send_message(peer, msg): only a ROUTER addresses a peer; this socket "
                    "sends with send_message(msg)");
    }
    return false;
  }
  template <class Msg>
  std::optional<delivery<Msg>> receive_message() requires(!(typed && ReceivingPattern<P>)) {
    if constexpr (!valid) {
    } else if constexpr (!typed) {
      static_assert(detail::dependent_false<Msg>,
                    "zguard::socket::receive_message: this socket has no channel, so it carries no typed "
                    "messages; add zguard::service, topic or stream to its policies (recv() reads raw frames)");
    } else {
      static_assert(detail::dependent_false<Msg>,
                    "zguard::socket::receive_message: this socket's pattern only sends (PUB, PUSH); it "
                    "receives nothing");
    }
    return std::nullopt;
  }
  template <class Req, class... A>
  std::optional<result<Req>> call(Req const&, A&&...) requires(!(typed && std::is_same_v<P, req>)) {
    if constexpr (!valid) {
    } else if constexpr (!typed) {
      static_assert(detail::dependent_false<Req>,
                    "zguard::socket::call: this socket has no channel; add zguard::service<Req, Rep> to "
                    "its policies (request() sends raw frames)");
    } else {
      static_assert(detail::dependent_false<Req>,
                    "zguard::socket::call: only a REQ socket with a service<Req, Rep> channel has call(); "
                    "a DEALER sends with send_message() and reads with receive_message()");
    }
    return std::nullopt;
  }
  template <class... A>
  void serve_messages(A&&...) requires(!(typed && (std::is_same_v<P, rep> || is_router))) {
    if constexpr (!valid) {
    } else if constexpr (!typed) {
      static_assert(detail::dependent_false<P>,
                    "zguard::socket::serve_messages: this socket has no channel; add "
                    "zguard::service<Req, Rep> to its policies (serve() serves raw frames)");
    } else {
      static_assert(detail::dependent_false<P>,
                    "zguard::socket::serve_messages: only a REP or ROUTER socket with a "
                    "service<Req, Rep> channel serves requests");
    }
  }

  // --- audit (G17) ----------------------------------------------------------
  static std::string profile() {
    std::string s = std::string(P::name) + " socket; domain=" + std::string(D::name) +
                    "; transport=" + std::string(T::scheme) + "; mechanism=" +
                    detail::mechanism_label(M::kind, M::role, M::is_insecure);
    if constexpr (M::is_insecure) s += " reason=\"" + std::string(M::reason) + "\"";
    if constexpr (M::role == mechanism_role::server) s += "; authenticator=required (ZAP domain '" + std::string(D::name) + "')";
    s += "; send_hwm=" + std::to_string(L::send_hwm) + "; recv_hwm=" + std::to_string(L::recv_hwm) +
         "; when_full=" + std::string(L::template get<limit_slot::overflow>::name);
    if constexpr (L::template has<limit_slot::max_message_size>) s += "; max_message_size=" + std::to_string(L::max_message_size);
    s += "; linger_ms=" + std::to_string(L::linger) + "; send_timeout_ms=" + std::to_string(L::send_timeout) +
         "; recv_timeout_ms=" + std::to_string(L::recv_timeout);
    if constexpr (L::template has<limit_slot::handshake_timeout>) s += "; handshake_timeout_ms=" + std::to_string(L::handshake_timeout);
    if constexpr (detail::rate_limited_v<L>)
      s += "; per_peer_rate=" + std::to_string(L::rate_per_second) + "/s burst " + std::to_string(L::rate_burst);
    if constexpr (is_signed) {
      s += "; signing=" + std::string(signing_algorithm::name);
      if constexpr (signs) s += " signs";
      if constexpr (verifies)
        s += " verifies (freshness_ms=" + std::to_string(S::freshness) + ", replay_window=" + std::to_string(S::window) + ")";
    } else if constexpr (typed) {
      s += "; signing=none";
    }
    if constexpr (checks_vouch)
      s += "; vouched=blake2b-256 (freshness_ms=" + std::to_string(vouch_type::freshness) + ")";
    return s;
  }
  static std::string label() {
    return std::string(P::name) + "/" + detail::mechanism_label(M::kind, M::role, M::is_insecure) + "/" +
           std::string(T::scheme) + "@" + std::string(D::name);
  }

  event_log& events() { return *log_; }

 private:
  // The raw handle never leaves zguard: through it, any option (the
  // mechanism, limits, ROUTER_HANDOVER) could be changed. zguard::poll and
  // the proxy reach it through detail::socket_access.
  friend struct detail::socket_access;
  // Which ZAP requests this socket can cause (context::zap_sockets): -1 none.
  static constexpr int zap_kind = !T::carries_mechanism              ? -1
                                  : M::kind == mechanism_kind::null ? 0
                                  : M::role == mechanism_role::server ? int(M::kind)
                                                                      : -1;
  context<D>* zap_count_ = nullptr;

  // Defence in depth, at every bind and connect: libzmq must still hold
  // what the type declares (mechanism, server role, limits, ZAP domain).
  void check_declared_options() {
    int const want = M::kind == mechanism_kind::curve ? ZMQ_CURVE : M::kind == mechanism_kind::plain ? ZMQ_PLAIN : ZMQ_NULL;
    std::string bad;
    auto expect = [&](bool ok, char const* what) {
      if (!ok && bad.empty()) bad = what;
    };
    expect(sock_.get(zmq::sockopt::mechanism) == want, "mechanism");
    if constexpr (M::role == mechanism_role::server && M::kind == mechanism_kind::curve)
      expect(sock_.get(zmq::sockopt::curve_server), "CURVE server role");
    if constexpr (M::role == mechanism_role::server && M::kind == mechanism_kind::plain)
      expect(sock_.get(zmq::sockopt::plain_server), "PLAIN server role");
    expect(sock_.get(zmq::sockopt::sndhwm) == int(L::send_hwm), "send_hwm");
    expect(sock_.get(zmq::sockopt::rcvhwm) == int(L::recv_hwm), "recv_hwm");
    expect(sock_.get(zmq::sockopt::linger) == int(L::linger), "linger_ms");
    expect(sock_.get(zmq::sockopt::sndtimeo) == int(L::send_timeout), "send_timeout_ms");
    expect(sock_.get(zmq::sockopt::rcvtimeo) == int(L::recv_timeout), "recv_timeout_ms");
    if constexpr (L::template has<limit_slot::max_message_size>)
      expect(sock_.get(zmq::sockopt::maxmsgsize) == std::int64_t(L::max_message_size), "max_message_size");
    if constexpr (L::template has<limit_slot::handshake_timeout>)
      expect(sock_.get(zmq::sockopt::handshake_ivl) == int(L::handshake_timeout), "handshake_timeout_ms");
    expect(sock_.get(zmq::sockopt::zap_domain) == D::name, "ZAP domain");
    if (bad.empty()) return;
    log_->emit("socket.tampered", severity::warning, {{"socket", label()}, {"option", bad}});
    throw socket_error("zguard::socket " + label() + ": libzmq's " + bad +
                       " no longer matches the socket's type; refusing to bind or connect");
  }

  template <class Ctx>
  static auto& context_of(Ctx& ctx) {
    if constexpr (requires { typename Ctx::domain_type; }) {
      static_assert(std::is_same_v<Ctx, context<D>>,
                    "zguard::socket: the context belongs to another security domain than the "
                    "socket (G10)");
    } else {
      static_assert(detail::dependent_false<Ctx>, "zguard::socket: the first argument must be a zguard::context<D>");
    }
    return ctx;
  }

  static constexpr std::size_t signing_arguments = std::size_t(signs) + std::size_t(verifies);
  static constexpr std::size_t vouch_arguments = std::size_t(checks_vouch);

  // The signing arguments come last: signing_key<Alg>, then verify_keys<Alg>;
  // a vouched<...> worker's verify_keys<blake2b_mac> after them.
  template <class... A>
  static constexpr bool check_arguments() {
    constexpr std::size_t n = sizeof...(A);
    using key_arg = typename detail::nth_type<n - signing_arguments - vouch_arguments, A...>::type;
    using keys_arg = typename detail::nth_type<n - 1 - vouch_arguments, A...>::type;
    using vouch_arg = typename detail::nth_type<n - 1, A...>::type;
    if constexpr (checks_vouch && !detail::is_verify_keys_of<vouch_arg, blake2b_mac>) {
      static_assert(detail::dependent_false<vouch_arg>,
                    "zguard::socket: a vouched<...> worker needs the key it shares with its broker: pass "
                    "zguard::verify_keys<zguard::blake2b_mac> as the last constructor argument");
      return false;
    } else if constexpr (signs && !detail::is_signing_key_of<key_arg, signing_algorithm>) {
      static_assert(detail::dependent_false<key_arg>,
                    "zguard::socket: a signed socket that sends needs its signing key: pass "
                    "zguard::signing_key<Alg> of the socket's signing algorithm after the "
                    "mechanism's arguments (G7)");
      return false;
    } else if constexpr (verifies && !detail::is_verify_keys_of<keys_arg, signing_algorithm>) {
      static_assert(detail::dependent_false<keys_arg>,
                    "zguard::socket: a signed socket that receives needs the keys to verify "
                    "with: pass zguard::verify_keys<Alg> of the socket's signing algorithm as "
                    "the last constructor argument (G7)");
      return false;
    } else {
      return []<std::size_t... I>(std::index_sequence<I...>) {
        return check_mechanism_arguments<typename detail::nth_type<I, A...>::type...>();
      }(std::make_index_sequence<n - signing_arguments - vouch_arguments>{});
    }
  }

  template <class... A>
  static constexpr bool check_mechanism_arguments() {
    constexpr bool has_auth = (std::is_same_v<A, authenticator<D>> || ...);
    constexpr bool other_auth =
        ((requires { typename A::domain_type; } && !std::is_same_v<A, authenticator<D>> &&
          !std::is_same_v<A, context<D>>) || ...);
    if constexpr (M::kind == mechanism_kind::curve && M::role == mechanism_role::server) {
      constexpr bool ok = std::is_same_v<detail::type_list<A...>, detail::type_list<authenticator<D>, keypair>>;
      static_assert(!other_auth, "zguard::socket: the authenticator belongs to another security domain (G10)");
      static_assert(other_auth || has_auth,
                    "zguard::socket: a CURVE server needs an authenticator of its context "
                    "(zguard::authenticator<D>): without a ZAP handler libzmq accepts every "
                    "client; write socket(ctx, auth, server_keypair) (G3)");
      static_assert(!has_auth || ok,
                    "zguard::socket: a CURVE server is made as socket(ctx, auth, server_keypair) (G4)");
      return ok;
    } else if constexpr (M::kind == mechanism_kind::curve) {
      constexpr bool ok = std::is_same_v<detail::type_list<A...>, detail::type_list<keypair, public_key>>;
      static_assert(ok,
                    "zguard::socket: a CURVE client needs its own keypair and the server's "
                    "public key: socket(ctx, client_keypair, server_public_key) (G4)");
      return ok;
    } else if constexpr (M::kind == mechanism_kind::plain && M::role == mechanism_role::server) {
      constexpr bool ok = std::is_same_v<detail::type_list<A...>, detail::type_list<authenticator<D>>>;
      static_assert(!other_auth, "zguard::socket: the authenticator belongs to another security domain (G10)");
      static_assert(other_auth || ok,
                    "zguard::socket: a PLAIN server needs an authenticator of its context to "
                    "check passwords: socket(ctx, auth) (G2, G3)");
      return ok;
    } else if constexpr (M::kind == mechanism_kind::plain) {
      constexpr bool ok = std::is_same_v<detail::type_list<A...>, detail::type_list<plain_credentials>>;
      static_assert(ok,
                    "zguard::socket: a PLAIN client needs its credentials: "
                    "socket(ctx, zguard::plain_credentials{user, password})");
      return ok;
    } else {
      static_assert(sizeof...(A) == 0, "zguard::socket: a NULL socket takes no keys or authenticator");
      return sizeof...(A) == 0;
    }
  }

  // IPv6 (dual stack) for "[addr]" and "*" hosts; plain IPv4 otherwise, so
  // IPv4 peers are reported as a.b.c.d rather than ::ffff:a.b.c.d.
  void use_ipv6_for(endpoint<tcp> const& ep) {
    auto const host = ep.address();
    sock_.set(zmq::sockopt::ipv6, (host.starts_with("[") || host.starts_with("*:")) ? 1 : 0);
  }

  void apply_limits() {
    sock_.set(zmq::sockopt::sndhwm, int(L::send_hwm));
    sock_.set(zmq::sockopt::rcvhwm, int(L::recv_hwm));
    sock_.set(zmq::sockopt::linger, int(L::linger));
    sock_.set(zmq::sockopt::sndtimeo, int(L::send_timeout));
    sock_.set(zmq::sockopt::rcvtimeo, int(L::recv_timeout));
    if constexpr (L::template has<limit_slot::max_message_size>)
      sock_.set(zmq::sockopt::maxmsgsize, std::int64_t(L::max_message_size));
    if constexpr (L::template has<limit_slot::handshake_timeout>)
      sock_.set(zmq::sockopt::handshake_ivl, int(L::handshake_timeout));
    if constexpr (std::is_same_v<P, router> && L::blocks_when_full) sock_.set(zmq::sockopt::router_mandatory, 1);
    if constexpr (std::is_same_v<P, req>) {
      sock_.set(zmq::sockopt::req_relaxed, 1);
      sock_.set(zmq::sockopt::req_correlate, 1);
    }
  }

  template <class Ctx, class... A>
  void apply_mechanism(Ctx& ctx, A&... args) {
    if constexpr (M::kind == mechanism_kind::curve && M::role == mechanism_role::server) {
      auto [auth, keys] = std::tie(args...);
      use_authenticator(ctx, auth);
      sock_.set(zmq::sockopt::curve_server, 1);
      sock_.set(zmq::sockopt::curve_secretkey, zmq::const_buffer(keys.secret_part().data(), 32));
      sock_.set(zmq::sockopt::curve_publickey, zmq::const_buffer(keys.public_part().data(), 32));
    } else if constexpr (M::kind == mechanism_kind::curve) {
      auto [keys, server] = std::tie(args...);
      sock_.set(zmq::sockopt::curve_serverkey, zmq::const_buffer(server.data(), 32));
      sock_.set(zmq::sockopt::curve_publickey, zmq::const_buffer(keys.public_part().data(), 32));
      sock_.set(zmq::sockopt::curve_secretkey, zmq::const_buffer(keys.secret_part().data(), 32));
    } else if constexpr (M::kind == mechanism_kind::plain && M::role == mechanism_role::server) {
      auto [auth] = std::tie(args...);
      use_authenticator(ctx, auth);
      sock_.set(zmq::sockopt::plain_server, 1);
    } else if constexpr (M::kind == mechanism_kind::plain) {
      auto [creds] = std::tie(args...);
      sock_.set(zmq::sockopt::plain_username, creds.username());
      sock_.set(zmq::sockopt::plain_password,
                zmq::const_buffer(creds.password_data(), creds.password_size()));
    }
  }

  [[nodiscard]] bool send_frame(zmq::const_buffer frame, bool more = false) requires SendingPattern<P> {
    try {
      auto r = sock_.send(frame, more ? zmq::send_flags::sndmore : zmq::send_flags::none);
      if (!r) log_->emit("send.timeout", severity::warning, {{"socket", label()}});
      return r.has_value();
    } catch (zmq::error_t const& e) {
      if (e.num() != EHOSTUNREACH) throw;
      log_->emit("send.unroutable", severity::warning, {{"socket", label()}});
      return false;
    }
  }
  std::optional<zmq::message_t> recv_frame() requires ReceivingPattern<P> {
    zmq::message_t msg;
    try {
      if (!sock_.recv(msg)) return std::nullopt;
    } catch (zmq::error_t const& e) {
      if (e.num() != EINTR) throw;
      return std::nullopt;
    }
    return msg;
  }
  std::optional<std::vector<zmq::message_t>> recv_frames() requires ReceivingPattern<P> {
    if constexpr (monitors_connections)
      if (!await_input()) return std::nullopt;
    std::vector<zmq::message_t> frames;
    frames.reserve(4);  // the most a typed message has: topic, header, payload, signature
    try {
      if (!zmq::recv_multipart(sock_, std::back_inserter(frames))) return std::nullopt;
    } catch (zmq::error_t const& e) {
      if (e.num() != EINTR) throw;
      return std::nullopt;
    }
    return frames;
  }

  // A ROUTER on a network transport reads its own monitor (see the
  // constructor): while it waits for a message it keeps reading events, so
  // they are logged promptly and the connection table stays current.
  static constexpr bool monitors_connections = is_router && T::carries_mechanism;
  bool await_input() requires monitors_connections {
    auto const until = std::chrono::steady_clock::now() + std::chrono::milliseconds(L::recv_timeout);
    for (;;) {
      monitor_->drain();
      if (sock_.get(zmq::sockopt::events) & ZMQ_POLLIN) return true;
      auto const left = std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now());
      if (left.count() <= 0) return false;
      zmq_pollitem_t items[] = {{sock_.handle(), 0, ZMQ_POLLIN, 0}, {monitor_->poll_item(), 0, ZMQ_POLLIN, 0}};
      if (zmq_poll(items, 2, long(left.count())) < 0) {
        if (zmq_errno() == EINTR) return false;  // as recv: a signal gives nullopt
        throw zmq::error_t();
      }
    }
  }

  static constexpr std::string_view channel_topic() {
    if constexpr (typed && C::kind == channel_kind::topic) return C::name;
    else return {};
  }

  // One encoded message out: [topic] payload, or [topic] header payload
  // signature when signed.
  [[nodiscard]] bool send_payload(zmq::message_t const& payload) requires(typed && SendingPattern<P>) {
    constexpr bool topic_frame = C::kind == channel_kind::topic;
    if constexpr (topic_frame)
      if (!send_frame(zmq::buffer(C::name), true)) return false;
    if constexpr (signs) {
      auto sealed = signer_->seal(channel_topic(), detail::bytes_of(payload));
      return send_frame(zmq::const_buffer(sealed.header.data(), sealed.header.size()), true) &&
             send_frame(zmq::const_buffer(payload.data(), payload.size()), true) &&
             send_frame(zmq::const_buffer(sealed.signature.data(), sealed.signature.size()));
    } else {
      return send_frame(zmq::const_buffer(payload.data(), payload.size()));
    }
  }

  // A message whose framing (and, when signed, envelope) is acceptable; its
  // payload is still to be decoded.
  struct incoming {
    std::vector<zmq::message_t> frames;
    std::span<std::uint8_t const> payload;
    signed_origin origin;
    peer_info peer;
    std::optional<peer_handle> from;  // ROUTER: who sent it
  };

  // The next acceptable message, or nullopt on timeout. Anything else is
  // refused, logged and skipped; a REP answers it with a refusal (it must
  // answer to receive again), a ROUTER answers its sender, a REQ gives up on
  // this reply (it must send again first).
  std::optional<incoming> next_payload() requires(typed && ReceivingPattern<P>) {
    constexpr bool topic_frame = C::kind == channel_kind::topic;
    // A stream of refused messages must not hold the caller: recv_timeout_ms
    // after the first refusal without an acceptable message, nullopt.
    std::optional<std::chrono::steady_clock::time_point> deadline;  // set at the first refusal
    for (bool first = true;; first = false) {
      if (!first) {
        auto const now = std::chrono::steady_clock::now();
        if (!deadline) deadline = now + std::chrono::milliseconds(L::recv_timeout);
        else if (now >= *deadline) return std::nullopt;
      }
      auto frames = recv_frames();
      if (!frames) return std::nullopt;
      incoming in{std::move(*frames), {}, {}, {}, {}};
      in.peer = peer_of(in.frames.back());
      // ROUTER: the routing id, then for a REQ peer its envelope up to the
      // empty delimiter (schema messages and envelope frames are never empty).
      std::size_t skip = 0;
      if constexpr (is_router) {
        auto& f = in.frames;
        std::size_t delimiter = 1;
        while (delimiter < f.size() && f[delimiter].size() != 0) ++delimiter;
        bool const has_delimiter = delimiter < f.size();
        skip = has_delimiter ? delimiter + 1 : 1;
        std::string routing_id = f[0].to_string();
        if (!detail::libzmq_assigned_routing_id(routing_id)) {
          // A peer-chosen id could be one another peer used: refused, never
          // answered, so no reply can ever follow an id to a new owner.
          log_->emit("router.peer_chosen_id", severity::warning,
                     {{"socket", label()},
                      {"routing_id", peer_handle::hex(routing_id)},
                      {"user_id", in.peer.user_id},
                      {"address", in.peer.peer_address}});
          continue;
        }
        if (bindings_.check(routing_id, in.peer.user_id) == detail::identity_bindings::verdict::belongs_to_another) {
          // Another key presents a routing id bound to someone else: never
          // delivered, never answered (the answer would go to that id).
          log_->emit("router.identity_mismatch", severity::warning,
                     {{"socket", label()},
                      {"routing_id", peer_handle::hex(routing_id)},
                      {"bound_user_id", *bindings_.owner(routing_id)},
                      {"user_id", in.peer.user_id},
                      {"address", in.peer.peer_address}});
          continue;
        }
        peer_handle from(peer_handle::made_by_socket{}, std::move(routing_id), in.peer.user_id);
        if constexpr (monitors_connections) from.connection_ = monitor_->connection_of(f.back());
        if (has_delimiter)
          for (std::size_t i = 1; i < delimiter; ++i) from.envelope_.push_back(f[i].to_string());
        from.delimiter_ = has_delimiter;
        in.from = std::move(from);
      }
      if constexpr (detail::rate_limited_v<L>) {
        // Before any decoding or signature check: a flood costs one lookup.
        auto const& who = in.peer.user_id.empty() ? in.peer.peer_address : in.peer.user_id;
        if (!buckets_.admit(who)) {
          log_->emit("rate.limited", severity::warning,
                     {{"socket", label()}, {"user_id", in.peer.user_id}, {"address", in.peer.peer_address}});
          answer_refusal(in, decode_reason::peer_refused, "rate limited");
          if constexpr (std::is_same_v<P, req>) return std::nullopt;
          continue;
        }
      }
      if constexpr (checks_vouch) {
        // Before decoding: the broker's vouch for the client, bound to these
        // payload frames (vouch.hpp). Refused requests are answered and
        // logged; the worker keeps serving.
        auto v = vouch_->check(std::span<zmq::message_t const>(in.frames).subspan(skip));
        if (v.refused) {
          log_->emit("vouch.refused", severity::warning,
                     {{"socket", label()},
                      {"reason", std::string(to_string(*v.refused))},
                      {"claimed_client", v.user_id},
                      {"claimed_key", v.key},
                      {"user_id", in.peer.user_id},
                      {"address", in.peer.peer_address}});
          answer_refusal(in, decode_reason::peer_refused, "vouch: " + std::string(to_string(*v.refused)));
          continue;
        }
        in.peer.vouched_client = std::move(v.user_id);
        ++skip;
      }
      auto const f = std::span<zmq::message_t const>(in.frames).subspan(skip);
      if constexpr (verifies) {
        auto envelope = unverified_envelope::parse(f, topic_frame);
        auto outcome = envelope ? std::optional(verifier_->verify(*envelope, channel_topic())) : std::nullopt;
        if (outcome && *outcome) {
          in.payload = outcome->payload();
          in.origin = outcome->origin();
          return in;
        }
        auto const reason = outcome ? outcome->reason() : drop_reason::malformed;
        log_->emit("verify." + std::string(to_string(reason)), severity::warning,
                   {{"socket", label()},
                    {"reason", std::string(to_string(reason))},
                    {"claimed_key", envelope ? envelope->claimed_origin().key.hex() : ""},
                    {"claimed_epoch", envelope ? std::to_string(envelope->claimed_origin().epoch) : ""},
                    {"claimed_sequence", envelope ? std::to_string(envelope->claimed_origin().sequence) : ""},
                    {"claimed_topic", envelope ? std::string(envelope->claimed_topic()) : ""},
                    {"frames", std::to_string(f.size())},
                    {"user_id", in.peer.user_id},
                    {"address", in.peer.peer_address}});
        answer_refusal(in, decode_reason::peer_refused, "envelope: " + std::string(to_string(reason)));
        if constexpr (std::is_same_v<P, req>) return std::nullopt;
        continue;
      } else {
        if constexpr (topic_frame) {
          if (f.size() != 2 || f[0].to_string_view() != C::name) {
            refuse(&f.back(), decode_error{decode_reason::wrong_schema, "topic frame", 0});
            continue;
          }
        } else if (f.size() != 1) {
          refuse(&in.frames.back(), decode_error{decode_reason::trailing_bytes, "extra frames", 0});
          answer_refusal(in, decode_reason::trailing_bytes, "extra frames");
          if constexpr (std::is_same_v<P, req>) return std::nullopt;
          continue;
        }
        in.payload = detail::bytes_of(f.back());
        return in;
      }
    }
  }

  // Tells the sender of a refused message why, where the pattern lets us:
  // REP must answer, a ROUTER answers the routing id it came from.
  void answer_refusal(incoming const& in, decode_reason reason, std::string_view field) {
    if constexpr (std::is_same_v<P, rep>) reply_refusal(reason, field);
    else if constexpr (is_router) {
      if (in.from) send_refusal_to(*in.from, reason, field);
    }
  }

  // ROUTER: [routing id] [empty, for REQ peers] then the message, to a peer
  // whose routing id is still bound to the key it was received from.
  [[nodiscard]] bool send_to(peer_handle const& to, zmq::message_t const& payload) requires is_router {
    auto const* owner = bindings_.owner(to.routing_id_);
    bool connection_open = true;
    // If the request's connection is gone, its routing id may lead to
    // someone else by now.
    if constexpr (monitors_connections) connection_open = monitor_->still_open(to.connection_);
    if (!owner || *owner != to.user_id_ || !connection_open) {
      log_->emit("router.stale_peer", severity::warning,
                 {{"socket", label()},
                  {"routing_id", to.routing_id_hex()},
                  {"user_id", std::string(to.user_id())},
                  {"reason", connection_open ? "routing id bound to another key" : "connection closed"}});
      return false;
    }
    if (!send_frame(zmq::buffer(to.routing_id_), true)) return false;
    for (auto const& frame : to.envelope_)
      if (!send_frame(zmq::buffer(frame), true)) return false;
    if (to.delimiter_ && !send_frame(zmq::const_buffer(nullptr, 0), true)) return false;
    return send_payload(payload);
  }
  void send_refusal_to(peer_handle const& to, decode_reason reason, std::string_view field) requires is_router {
    refusal r;
    r.reason = static_cast<std::uint8_t>(reason);
    r.field = field.substr(0, 128);
    zmq::message_t bytes(encoded_size(r));
    encode_into(r, static_cast<std::uint8_t*>(bytes.data()));
    (void)send_to(to, bytes);
  }

  // Logs and counts a refused message; the socket goes on.
  void refuse(zmq::message_t const* from, decode_error const& e) {
    peer_info peer = from ? peer_of(*from) : peer_info{};
    log_->emit("message.refused", severity::warning,
               {{"socket", label()}, {"reason", std::string(to_string(e.reason))}, {"field", e.field},
                {"offset", std::to_string(e.offset)}, {"user_id", peer.user_id}, {"address", peer.peer_address}});
  }
  void reply_refusal(decode_reason reason, std::string_view field) requires SendingPattern<P> {
    refusal r;
    r.reason = static_cast<std::uint8_t>(reason);
    r.field = field.substr(0, 128);
    if constexpr (typed) {
      if constexpr (signs) {  // signed like every other reply, so the client can trust the refusal
        zmq::message_t bytes(encoded_size(r));
        encode_into(r, static_cast<std::uint8_t*>(bytes.data()));
        (void)send_payload(bytes);
        return;
      }
    }
    auto bytes = encode(r);
    (void)send_frame(zmq::const_buffer(bytes.data(), bytes.size()));
  }

  // Same domain is checked at compile time; same context instance here.
  void use_authenticator(context<D>& ctx, authenticator<D> const& auth) {
    if (&auth.ctx() != &ctx)
      throw authenticator_error("zguard::socket: the authenticator runs in another context; a ZAP "
                                "handler only answers for sockets of its own context");
    zap_ = auth.share();
  }

  event_log* log_;
  // Declared before sock_ so the ZAP handler outlives the socket it guards.
  std::shared_ptr<void> zap_;
  zmq::socket_t sock_;
  std::unique_ptr<detail::socket_monitor> monitor_;
  std::vector<detail::ipc_file> ipc_files_;
  [[no_unique_address]] typename detail::signer_part<S, signs>::type signer_;
  [[no_unique_address]] typename detail::verifier_part<S, verifies>::type verifier_;
  [[no_unique_address]] std::conditional_t<checks_vouch, std::optional<detail::vouch_checker<detail::vouch_freshness<vouch_type>>>,
                                           detail::no_signing_part> vouch_;
  [[no_unique_address]] std::conditional_t<is_router, detail::identity_bindings, detail::no_signing_part> bindings_;
  [[no_unique_address]] std::conditional_t<detail::rate_limited_v<L>, detail::token_buckets, detail::no_signing_part>
      buckets_ = make_buckets();
  static auto make_buckets() {
    if constexpr (detail::rate_limited_v<L>)
      return detail::token_buckets(double(L::rate_per_second), double(L::rate_burst));
    else
      return detail::no_signing_part{};
  }
};

namespace detail {
// zguard's own way to the raw handle (zguard::poll, the proxy). Not for
// applications: through the handle a socket's security options change.
struct socket_access {
  template <class S>
  static void* handle(S& s) {
    return s.sock_.handle();
  }
  // The ROUTER's own monitor (owner mode), or nullptr.
  template <class S>
  static socket_monitor* router_monitor(S& s) {
    if constexpr (S::monitors_connections) return s.monitor_.get();
    else return nullptr;
  }
};
}  // namespace detail

}  // namespace v0
}  // namespace zguard
