// zguard/link.hpp - a link of a pipeline: the typed endpoint both sides of a
// connection must agree with, the sockets derived from it, and the
// compile-time checks of every socket on it (G10; see docs/pipelines.md).
//
// A link names its address, security domain, transport, channel (the
// schemas), the binder's mechanism (a CURVE link needs the binder's server
// key on every connector), the signing policy, the sealing policy (payloads
// only the link's ends read, G19) and the largest message it carries. Links are declared as named structs so that compiler messages
// name them:
//
//   struct tasks : zg::link<"tasks", "tcp://127.0.0.1:*", work, zg::tcp, zg::stream<task>,
//                           zg::curve_server, 4096> {};
//
// A stage uses a link with binds<Link, Pattern, Limits> or
// connects<Link, Pattern, Limits>: the socket type is derived from the link
// and the side (link_socket), so the two cannot drift apart. A relay stage
// names its untyped sockets instead: binds<Link, Socket>, connects<Link,
// Socket>. pipeline<Stages...> (pipeline.hpp) checks each socket against
// its link and every binder against every connector: pattern pair, schema,
// mechanism, signing algorithm, sealing, message sizes, domain.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <type_traits>

#include <zguard/channel.hpp>
#include <zguard/fixed_string.hpp>
#include <zguard/limits.hpp>
#include <zguard/pattern.hpp>
#include <zguard/sealed.hpp>
#include <zguard/security.hpp>
#include <zguard/signing.hpp>
#include <zguard/socket.hpp>
#include <zguard/transport.hpp>

namespace zguard {
inline namespace v0 {

// The signing policy of a link whose messages are not signed.
struct unsigned_link {};
// The sealing policy of a link whose payloads are not sealed end to end.
struct unsealed_link {};

// Address may contain "{dir}", replaced at run time by the pipeline's
// rendezvous directory (ipc socket files); a tcp port may be "*".
namespace detail {
// A stage's or a link's name: 1..64 of [A-Za-z0-9_-]. Names are joined with
// dots into key and rendezvous file names ("<stage>.<link>.seal"): a dot
// would let two names make one file (stage "a.b" on link "c", stage "a" on
// link "b.c"), a slash put a key file outside its directory.
constexpr bool is_name_token(std::string_view n) {
  if (n.empty() || n.size() > 64) return false;
  for (char c : n)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
      return false;
  return true;
}
}  // namespace detail

// Sealing: unsealed_link, or the sealed<...> policy of a link whose payloads
// only its typed ends read (G19): relays on the way hold no sealing key.
template <fixed_string Name, fixed_string Address, class Domain, Transport T, class Channel, Mechanism BinderMechanism,
          std::size_t MaxMessage, class Signing = unsigned_link, class Sealing = unsealed_link>
struct link {
  static_assert(detail::is_name_token(Name.view()),
                "zguard::link: a link's name is 1..64 of [A-Za-z0-9_-]: it names key and rendezvous files, joined "
                "with dots, so a dot or a slash could make two names one file or put a key elsewhere");
  static_assert(BinderMechanism::role != mechanism_role::client,
                "zguard::link: name the binder's mechanism (curve_server, null_mechanism or insecure<...>); "
                "connectors are checked against it");
  static_assert(BinderMechanism::kind != mechanism_kind::plain,
                "zguard::link: pipelines carry CURVE or NULL links; PLAIN has no place in a generated topology");
  static_assert(MaxMessage > 0 && MaxMessage <= std::size_t(bounds::max_message_size),
                "zguard::link: MaxMessage must be in 1..268435456 bytes (as max_message_size<N>)");
  // Only zguard's own tags: a look-alike could pass as "not inproc" or
  // "not signed" where the pipeline compares types.
  static_assert(SecurityDomain<Domain> || false,
                "zguard::link: Domain must be a zguard::domain<\"name\">; derived or hand-written tags are refused");
  static_assert(detail::is_channel_tag<Channel> || false,
                "zguard::link: the channel must be a zguard::service<...>, topic<...> or stream<...>; derived or "
                "hand-written channels are refused");
  static_assert(std::is_same_v<Signing, unsigned_link> || SigningPolicy<Signing>,
                "zguard::link: Signing must be zguard::unsigned_link or a zguard::signing<...>; derived or "
                "hand-written policies are refused");
  static_assert(std::is_same_v<Sealing, unsealed_link> || SealingPolicy<Sealing>,
                "zguard::link: Sealing must be zguard::unsealed_link or a zguard::sealed<...>; derived or "
                "hand-written policies are refused");
  static_assert(std::is_same_v<Sealing, unsealed_link> || !detail::is_channel_tag<Channel> ||
                    Channel::kind == channel_kind::service || Channel::kind == channel_kind::topic,
                "zguard::link: a sealed link carries a service<Req, Rep> or topic<\"name\", S> channel; stream "
                "channels and topics<...> sets are not sealed by this release (G19)");
  using zguard_link = void;
  static constexpr std::string_view name = Name.view();
  static constexpr std::string_view address = Address.view();
  using domain_type = Domain;
  using transport_type = T;
  using channel_type = Channel;
  using mechanism_type = BinderMechanism;
  using signing_type = Signing;
  using sealing_type = Sealing;
  static constexpr std::size_t max_message = MaxMessage;
  static constexpr bool is_signed = !std::is_same_v<Signing, unsigned_link>;
  static constexpr bool is_sealed = !std::is_same_v<Sealing, unsealed_link>;
};

namespace detail {
// The link<...> a named link derives from (links are declared as structs
// derived from one, so here a derived class must match).
struct link_bases {
  template <fixed_string N, fixed_string A, class D, class T, class C, class M, std::size_t X, class S, class Z>
  static link<N, A, D, T, C, M, X, S, Z> of(link<N, A, D, T, C, M, X, S, Z> const*);
};
template <class L>
using link_base_of = decltype(link_bases::of(static_cast<L const*>(nullptr)));
// A struct derived from link<...> that hides none of its members: the checks
// read them, so a hidden mechanism_type or is_signed would change their
// outcome while the link<...> static_asserts saw the base's.
template <class L, class B>
concept hides_no_link_member =
    std::is_same_v<typename L::zguard_link, typename B::zguard_link> &&
    std::is_same_v<typename L::domain_type, typename B::domain_type> &&
    std::is_same_v<typename L::transport_type, typename B::transport_type> &&
    std::is_same_v<typename L::channel_type, typename B::channel_type> &&
    std::is_same_v<typename L::mechanism_type, typename B::mechanism_type> &&
    std::is_same_v<typename L::signing_type, typename B::signing_type> &&
    std::is_same_v<typename L::sealing_type, typename B::sealing_type> && &L::name == &B::name &&
    &L::address == &B::address && &L::max_message == &B::max_message && &L::is_signed == &B::is_signed &&
    &L::is_sealed == &B::is_sealed;
}  // namespace detail

// Link: a zguard::link<...> or a struct derived from one that hides none of
// its members (a concept: no specialization can admit another type).
template <class L>
concept Link = requires { typename detail::link_base_of<L>; } && detail::hides_no_link_member<L, detail::link_base_of<L>>;

// The two sides of a link, for link_socket.
struct binder {};
struct connector {};

namespace detail {
template <class R>
concept is_link_side = std::is_same_v<R, binder> || std::is_same_v<R, connector>;

// The socket a side of a link uses: domain, transport, channel, signing and
// sealing policies are the link's; the binder has the link's mechanism, a
// connector the CURVE client of a CURVE link (else the same NULL
// mechanism). Only instantiated once the arguments were checked, so a
// misuse reports one zguard message rather than the socket's own errors as
// well.
template <class... Policies>
struct link_policies {};
template <class L>
using link_policies_of = std::conditional_t<
    L::is_signed,
    std::conditional_t<L::is_sealed, link_policies<typename L::signing_type, typename L::sealing_type>,
                       link_policies<typename L::signing_type>>,
    std::conditional_t<L::is_sealed, link_policies<typename L::sealing_type>, link_policies<>>>;
template <class L, class P, class M, class Lim, class Policies>
struct link_socket_with;
template <class L, class P, class M, class Lim, class... Policies>
struct link_socket_with<L, P, M, Lim, link_policies<Policies...>> {
  using type = socket<typename L::domain_type, typename L::transport_type, P, M, Lim, typename L::channel_type,
                      Policies...>;
};
template <class L, bool Binder, class P, class Lim>
struct socket_from_link {
  using mechanism = std::conditional_t<!Binder && std::is_same_v<typename L::mechanism_type, curve_server>,
                                       curve_client, typename L::mechanism_type>;
  using type = typename link_socket_with<L, P, mechanism, Lim, link_policies_of<L>>::type;
};
// Stands for the socket of a port whose arguments were refused: the
// static_assert that refused them is the message, the pipeline checks skip it.
struct refused_port {};

template <class L, class Side, class P, class Lim>
struct link_socket_of {
  static_assert(is_link_side<Side> || false,
                "zguard::link_socket<Link, Side, Pattern, Limits>: Side must be zguard::binder or zguard::connector");
  static_assert(is_pattern_tag<P> || false,
                "zguard::link_socket<Link, Side, Pattern, Limits>: Pattern must be a zguard pattern tag (req, rep, "
                "dealer, router, pub, sub, xpub, xsub, push, pull, pair)");
  static_assert(is_limits<Lim> || false,
                "zguard::link_socket<Link, Side, Pattern, Limits>: Limits must be a zguard::limits<...>; derived or "
                "hand-written limits are refused");
  using type = typename std::conditional_t<is_link_side<Side> && is_pattern_tag<P> && is_limits<Lim>,
                                           socket_from_link<L, std::is_same_v<Side, binder>, P, Lim>,
                                           std::type_identity<refused_port>>::type;
};

// binds/connects: <Link, Socket> names the socket (relay stages' untyped
// sockets), <Link, Pattern, Limits> derives it from the link.
template <class L, bool Binder, class X, class... Lim>
struct port_socket {
  using type = std::conditional_t<Link<L> && is_zguard_socket<X>, X, refused_port>;
};
template <class L, bool Binder, class P, class Lim>
struct port_socket<L, Binder, P, Lim> {
  using type = typename std::conditional_t<Link<L> && is_pattern_tag<P> && is_limits<Lim>,
                                           socket_from_link<L, Binder, P, Lim>,
                                           std::type_identity<refused_port>>::type;
};
}  // namespace detail

// The socket type side Side (binder or connector) of link L uses with
// pattern P and limits Lim, e.g. link_socket<tasks, connector, pull,
// work_limits>: what binds<L, P, Lim> / connects<L, P, Lim> give a stage.
template <Link L, class Side, class P, class Lim>
using link_socket = typename detail::link_socket_of<L, Side, P, Lim>::type;

// A stage's port on a link: binds<Link, Pattern, Limits> derives its socket
// from the link; binds<Link, Socket> names a complete socket type.
template <class L, class SocketOrPattern, class... Lim>
struct binds {
  static_assert(Link<L> || false, "zguard::binds<Link, ...>: Link must be a zguard::link<...> or a struct derived from one "
                         "that hides none of its members; hand-written links are refused");
  static_assert(sizeof...(Lim) <= 1, "zguard::binds: binds<Link, Pattern, Limits> or binds<Link, Socket>");
  static_assert(sizeof...(Lim) == 1 || detail::is_zguard_socket<SocketOrPattern>,
                "zguard::binds<Link, Socket>: Socket must be a zguard::socket<...> (or give binds<Link, Pattern, "
                "Limits> to derive the socket from the link)");
  static_assert(sizeof...(Lim) != 1 || detail::is_pattern_tag<SocketOrPattern>,
                "zguard::binds<Link, Pattern, Limits>: Pattern must be a zguard pattern tag (req, rep, dealer, "
                "router, pub, sub, xpub, xsub, push, pull, pair)");
  static_assert((detail::is_limits<Lim> && ...) || false,
                "zguard::binds<Link, Pattern, Limits>: Limits must be a zguard::limits<...>; derived or hand-written "
                "limits are refused");
  using link_type = L;
  using socket_type = typename detail::port_socket<L, true, SocketOrPattern, Lim...>::type;
  static constexpr bool binder = true;
};
template <class L, class SocketOrPattern, class... Lim>
struct connects {
  static_assert(Link<L> || false, "zguard::connects<Link, ...>: Link must be a zguard::link<...> or a struct derived from one "
                         "that hides none of its members; hand-written links are refused");
  static_assert(sizeof...(Lim) <= 1, "zguard::connects: connects<Link, Pattern, Limits> or connects<Link, Socket>");
  static_assert(sizeof...(Lim) == 1 || detail::is_zguard_socket<SocketOrPattern>,
                "zguard::connects<Link, Socket>: Socket must be a zguard::socket<...> (or give connects<Link, "
                "Pattern, Limits> to derive the socket from the link)");
  static_assert(sizeof...(Lim) != 1 || detail::is_pattern_tag<SocketOrPattern>,
                "zguard::connects<Link, Pattern, Limits>: Pattern must be a zguard pattern tag (req, rep, dealer, "
                "router, pub, sub, xpub, xsub, push, pull, pair)");
  static_assert((detail::is_limits<Lim> && ...) || false,
                "zguard::connects<Link, Pattern, Limits>: Limits must be a zguard::limits<...>; derived or "
                "hand-written limits are refused");
  using link_type = L;
  using socket_type = typename detail::port_socket<L, false, SocketOrPattern, Lim...>::type;
  static constexpr bool binder = false;
};

// Marks a stage whose sockets only a zguard::proxy run by the pipeline
// holds (zguard::relay_stage, pipeline/topology.hpp): the one place an
// untyped socket may sit on a link, since it passes the frames on unread.
struct relay_stage_tag {};

template <fixed_string Name, class FrontPort, class BackPort>
struct relay_stage;

namespace detail {

// A stage derived from zguard::relay_stage<...> (the tag alone, added by
// hand to any stage, does not make one: pipeline<...> refuses that).
struct relay_stages {
  static consteval bool of(...) { return false; }
  template <fixed_string N, class F, class B>
  static consteval bool of(relay_stage<N, F, B> const*) { return true; }
};
template <class Stage>
concept is_relay_stage = relay_stages::of(static_cast<Stage const*>(nullptr));

// Which way application messages flow (XSUB sends only subscriptions, XPUB
// receives only subscriptions).
template <class P>
inline constexpr bool data_sender = P::can_send && !std::is_same_v<P, xsub>;
template <class P>
inline constexpr bool data_receiver = P::can_recv && !std::is_same_v<P, xpub>;

template <class S>
inline constexpr bool has_max_message = traits_of<S>::limits_type::template has<limit_slot::max_message_size>;

// The largest message a socket may send: its declared max_message_size, or
// else its channel's largest encoding; 0 when neither bounds it.
template <class S>
constexpr std::size_t send_bound() {
  if constexpr (has_max_message<S>) return std::size_t(traits_of<S>::limits_type::max_message_size);
  else if constexpr (traits_of<S>::typed)
    return max_size_of<
        typename channel_sides<typename traits_of<S>::channel_type, typename traits_of<S>::pattern_type>::sends>();
  else return 0;
}

template <class S>
constexpr std::string_view signing_name() {
  if constexpr (traits_of<S>::is_signed) return traits_of<S>::signing_algorithm::name;
  else return "none";
}

// Every socket against the link it is on. Stage and Link appear in the
// compiler's "in instantiation of" line, so the message names them.
template <class Stage, class Link, class Socket, bool Binder>
struct port_check {
  using St = traits_of<Socket>;  // what the socket is
  static_assert(std::is_same_v<typename St::domain_type, typename Link::domain_type>,
                "zguard::pipeline: domain mismatch: a stage's socket belongs to another security domain than "
                "the link it uses (G10)");
  static_assert(std::is_same_v<typename St::transport_type, typename Link::transport_type>,
                "zguard::pipeline: transport mismatch: the socket uses another transport than its link");
  static_assert(!St::typed || std::is_same_v<typename St::channel_type, typename Link::channel_type>,
                "zguard::pipeline: schema mismatch: the socket's channel (its schemas) differs from the link's");
  // An untyped socket in a stage's own hands would read the link's payloads
  // unchecked, and on a signed link unverified: only a relay stage's proxy
  // may hold one.
  static_assert(St::typed || is_relay_stage<Stage>,
                "zguard::pipeline: untyped socket on a link: the stage's code would send and read the link's "
                "messages as raw frames, unchecked (on a signed link: unsigned, unverified); give the socket "
                "the link's channel and signing policy, or make the stage a zguard::relay_stage<...> (only its "
                "proxy holds the sockets)");
  static_assert(!is_relay_stage<Stage> || (!St::typed && !St::is_signed && !St::is_sealed),
                "zguard::pipeline: a relay_stage's sockets pass frames on unchanged: no channel, no signing policy "
                "(receivers verify the original signer), no sealing key (only the link's ends open its payloads)");
  static_assert(!Binder || std::is_same_v<typename St::mechanism_type, typename Link::mechanism_type>,
                "zguard::pipeline: mechanism mismatch: the binding socket's mechanism differs from the link's");
  static_assert(Binder || compatible_mechanisms<typename St::mechanism_type, typename Link::mechanism_type>,
                "zguard::pipeline: mechanism mismatch: the connecting socket cannot talk to the link's binder "
                "(a CURVE client needs a CURVE bind, NULL needs NULL)");
  static_assert(!St::typed || St::is_signed || !Link::is_signed,
                "zguard::pipeline: signing mismatch: the link is signed but this socket neither signs nor "
                "verifies (e.g. a signed publisher to an unsigned subscriber)");
  static_assert(!St::is_signed || Link::is_signed,
                "zguard::pipeline: signing mismatch: the socket signs or verifies but the link is unsigned");
  static constexpr bool algorithm_ok = [] {
    if constexpr (St::is_signed && Link::is_signed)
      return std::is_same_v<typename St::signing_algorithm, typename Link::signing_type::algorithm>;
    else return true;
  }();
  static_assert(algorithm_ok,
                "zguard::pipeline: signing algorithm mismatch: the socket and the link use different algorithms "
                "(e.g. an Ed25519 publisher and a BLAKE2b subscriber)");
  static constexpr bool policy_ok = [] {
    if constexpr (St::is_signed && Link::is_signed && algorithm_ok)
      return std::is_same_v<typename St::signing_type, typename Link::signing_type>;
    else return true;
  }();
  static_assert(policy_ok,
                "zguard::pipeline: signing policy mismatch: the socket's signing<...> differs from the link's "
                "(freshness or replay window); every socket on a signed link uses the link's policy exactly");
  // A sealed link is read only at its ends: every typed socket on it seals
  // or opens with the link's very policy, and none on an unsealed link does.
  static constexpr bool sealing_ok = [] {
    if constexpr (!St::typed) return true;
    else if constexpr (Link::is_sealed) return std::is_same_v<typename St::sealing_type, typename Link::sealing_type>;
    else return !St::is_sealed;
  }();
  static_assert(sealing_ok || !Link::is_sealed,
                "zguard::pipeline: sealing mismatch: the link is sealed but this socket does not seal or open its "
                "payloads with the link's sealed<...> (every typed socket on a sealed link uses exactly the link's "
                "policy) (G19)");
  static_assert(sealing_ok || Link::is_sealed,
                "zguard::pipeline: sealing mismatch: the socket is sealed but the link is not; give the link the "
                "socket's sealed<...> (its keys are then generated for the link's ends) (G19)");
  static constexpr bool size_ok = [] {
    if constexpr (data_receiver<typename St::pattern_type>)
      return has_max_message<Socket> && std::size_t(St::limits_type::max_message_size) >= Link::max_message;
    else return true;
  }();
  static_assert(size_ok,
                "zguard::pipeline: message size mismatch: a receiving socket's max_message_size is smaller than "
                "the link's MaxMessage");
  static constexpr bool ok = true;
};

// A binding socket against a connecting one on the same link.
template <class Link, class BinderStage, class BinderSocket, class ConnectorStage, class ConnectorSocket>
struct pair_check {
  using BP = typename traits_of<BinderSocket>::pattern_type;
  using CP = typename traits_of<ConnectorSocket>::pattern_type;
  static_assert(compatible_patterns<BP, CP>,
                "zguard::pipeline: pattern mismatch on a link: these socket patterns cannot talk to each other "
                "(e.g. PUSH connected to a SUB); see zguard::compatible_patterns");
  template <class From, class To>
  static constexpr bool fits() {
    if constexpr (data_sender<typename traits_of<From>::pattern_type> &&
                  data_receiver<typename traits_of<To>::pattern_type> && has_max_message<To>)
      return send_bound<From>() != 0 &&
             send_bound<From>() <= std::size_t(traits_of<To>::limits_type::max_message_size);
    else return true;
  }
  static_assert(fits<BinderSocket, ConnectorSocket>() && fits<ConnectorSocket, BinderSocket>(),
                "zguard::pipeline: message size mismatch: the sender's max message size exceeds the receiver's "
                "max_message_size on this link");
  static constexpr bool ok = true;
};

}  // namespace detail

// One line describing a link (pipeline printing).
template <Link L>
std::string link_description() {
  std::string s = std::string(L::name) + " (" + std::string(L::address) + "; domain=" +
                  std::string(L::domain_type::name) + "; transport=" + std::string(L::transport_type::scheme) +
                  "; mechanism=" +
                  (L::mechanism_type::kind == mechanism_kind::curve
                       ? std::string("CURVE")
                       : std::string(L::mechanism_type::is_insecure ? "NULL (INSECURE)" : "NULL")) +
                  "; max_message=" + std::to_string(L::max_message) + "; signing=";
  if constexpr (L::is_signed) s += std::string(L::signing_type::algorithm::name);
  else s += "none";
  if constexpr (L::is_sealed) s += "; sealed end to end";
  return s + ")";
}

}  // namespace v0
}  // namespace zguard
