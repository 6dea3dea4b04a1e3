// FIRST_ERROR[used as a declarator]
// CASES[25]
// MESSAGE[is_limits<huge_limits>[^ ]* used as a declarator]
// MESSAGE[alias template specialization [^ ]*zguard::v0::detail::limit_slot_of<huge_tag>]
// MESSAGE[is_transport_tag<lan_tcp>[^ ]* used as a declarator]
// MESSAGE[is_domain_tag<nameless>[^ ]* used as a declarator]
// MESSAGE[is_pattern_tag<quiet_push>[^ ]* used as a declarator]
// MESSAGE[is_mechanism_tag<lax_curve>[^ ]* used as a declarator]
// MESSAGE[is_channel_tag<wide_stream>[^ ]* used as a declarator]
// MESSAGE[is_signing_policy<stale_signing>[^ ]* used as a declarator]
// MESSAGE[alias template specialization [^ ]*zguard::v0::detail::signing_option_of<stale_ms>]
// MESSAGE[is_batching_tag<huge_batch>[^ ]* used as a declarator]
// MESSAGE[is_authorization_tag<allow_all>[^ ]* used as a declarator]
// MESSAGE[is_vouch_policy<stale_vouch>[^ ]* used as a declarator]
// MESSAGE[is_vouch_clients<any_clients>[^ ]* used as a declarator]
// MESSAGE[is_zguard_socket<shell>[^ ]* used as a declarator]
// MESSAGE[is_missing<hidden_tcp>[^ ]* used as a declarator]
// MESSAGE[known_slot<odd_policy>[^ ]* used as a declarator]
// MESSAGE[is_ranged_limit<zguard::v0::send_hwm<11> >[^ ]* used as a declarator]
// MESSAGE[is_topic_set<wide_stream>[^ ]* used as a declarator]
// MESSAGE[is_signing_key_of<fake_key, zguard::v0::ed25519>[^ ]* used as a declarator]
// MESSAGE[is_verify_keys_of<fake_keys, zguard::v0::ed25519>[^ ]* used as a declarator]
// MESSAGE[zguard::socket: the limits slot holds a type that is not a zguard::limits<...>]
// MESSAGE[zguard::limits<...>: every argument must be one of zguard's limit tags]
// MESSAGE[zguard::socket: the transport slot holds a type that is not a zguard transport tag]
// MESSAGE[zguard::proxy: both sides must be zguard::socket<...> types]
// MESSAGE[zguard::binds<Link, ...>: Link must be a zguard::link<...> or a struct derived from one that hides none]
// A deliberate developer specializes every trait that once decided whether a
// type is zguard's own, each for a type derived from (or written like) one of
// zguard's, to pass the derived type off as the real one. Every such trait is
// a concept or an alias template now, so none of these compiles, and the
// sockets built from the derived types are still refused with zguard's text.
#include "common.hpp"
namespace zd = zguard::detail;

// The attack of the review: a CURVE server whose limits say 1 TB messages
// (the bound is 256 MiB) through a type derived from valid limits.
struct huge_limits : L {
  static constexpr std::int64_t max_message_size = 1000000000000;
};
template <>
inline constexpr bool zd::is_limits<huge_limits> = true;
using huge_server = zg::socket<D, zg::tcp, zg::rep, zg::curve_server, huge_limits>;
static_assert(zg::traits_of<huge_server>::valid &&
              zg::traits_of<huge_server>::limits_type::max_message_size == 1000000000000);  // held before

// The same through one limit tag.
struct huge_tag : zg::max_message_size<1024> {
  static constexpr std::int64_t value = 1000000000000;
};
template <>
struct zd::limit_slot_of<huge_tag> {
  using type = zg::limit_slot::max_message_size;
};

// A tcp that is "not tcp" to the rule that refuses NULL on tcp.
struct lan_tcp : zg::tcp {};
template <>
inline constexpr bool zd::is_transport_tag<lan_tcp> = true;

// An empty ZAP domain: libzmq skips ZAP on a CURVE server.
struct nameless : D {
  static constexpr std::string_view name = "";
};
template <>
inline constexpr bool zd::is_domain_tag<nameless> = true;

struct quiet_push : zg::push {
  static constexpr zg::when_full full = zg::when_full::drops;
};
template <>
inline constexpr bool zd::is_pattern_tag<quiet_push> = true;

struct lax_curve : zg::curve_server {
  static constexpr bool is_insecure = true;
};
template <>
inline constexpr bool zd::is_mechanism_tag<lax_curve> = true;

struct wide_stream : zg::stream<small> {};
template <>
inline constexpr bool zd::is_channel_tag<wide_stream> = true;

struct stale_signing : zg::signing<zg::ed25519> {
  static constexpr std::uint32_t freshness = 4000000000u;
};
template <>
inline constexpr bool zd::is_signing_policy<stale_signing> = true;

struct stale_ms : zg::freshness_ms<1000> {
  static constexpr std::uint32_t value = 4000000000u;
};
template <>
struct zd::signing_option_of<stale_ms> {
  using type = zd::freshness_option;
};

struct huge_batch : zg::batched<2, 1> {
  static constexpr std::size_t max_messages = 1u << 30;
};
template <>
inline constexpr bool zd::is_batching_tag<huge_batch> = true;

struct allow_all : zg::authorized {};
template <>
inline constexpr bool zd::is_authorization_tag<allow_all> = true;

struct stale_vouch : zg::vouched<zg::blake2b_mac> {
  static constexpr std::uint32_t freshness = 4000000000u;
};
template <>
inline constexpr bool zd::is_vouch_policy<stale_vouch> = true;

struct any_clients : zg::vouch_clients<zg::blake2b_mac> {};
template <>
inline constexpr bool zd::is_vouch_clients<any_clients> = true;

// A socket look-alike for proxies and pipelines.
struct shell : zg::socket<D, zg::ipc, zg::pull, zg::null_mechanism, L> {
  static constexpr bool typed = false;
};
template <>
inline constexpr bool zd::is_zguard_socket<shell> = true;

// A filled slot passed off as empty.
struct hidden_tcp : zg::tcp {};
template <>
inline constexpr bool zd::is_missing<hidden_tcp> = true;

// A policy of a slot zguard does not have, to be silently ignored.
struct odd_policy {
  struct elsewhere {};
  using zguard_slot = elsewhere;
};
template <>
inline constexpr bool zd::known_slot<odd_policy> = true;

// A fixed limit passed off as chosen at start-up.
template <>
inline constexpr bool zd::is_ranged_limit<zg::send_hwm<11>> = true;

template <>
inline constexpr bool zd::is_topic_set<wide_stream> = true;

// Keys of another type taken as a socket's signing and verify keys.
struct fake_key {};
struct fake_keys {};
template <>
inline constexpr bool zd::is_signing_key_of<fake_key, zg::ed25519> = true;
template <>
inline constexpr bool zd::is_verify_keys_of<fake_keys, zg::ed25519> = true;

// What the derived types meet where zguard uses them: zguard's own refusals.
using huge_by_tag = zg::limits<zg::send_hwm<10>, zg::recv_hwm<10>, zg::block_when_full, huge_tag, zg::linger_ms<0>,
                               zg::send_timeout_ms<100>, zg::recv_timeout_ms<100>, zg::handshake_timeout_ms<1000>>;
static_assert(sizeof(huge_by_tag) > 0);
void null_on_lan(zg::context<D>& ctx) { zg::socket<D, lan_tcp, zg::rep, zg::null_mechanism, L> s(ctx); }
using pass = zg::socket<D, zg::ipc, zg::push, zg::null_mechanism, L>;
void proxy_of_shell(zg::context<D>& ctx, shell& a, pass& b) { zg::proxy<shell, pass> p(ctx, a, b); }
// A link whose binder's mechanism is hidden: CURVE for the link's checks, NULL for a port's socket.
struct curve_link : zg::link<"l", "tcp://127.0.0.1:*", D, zg::tcp, zg::stream<small>, zg::curve_server, 1024> {};
struct open_link : curve_link {
  using mechanism_type = zg::insecure<"hidden">;
};
using open_port = zg::binds<open_link, zg::push, L>;
static_assert(sizeof(open_port) > 0);
