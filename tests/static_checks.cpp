// Compile-time rules that must hold, checked in the normal build (mp-units
// style). Each compile_fail/*.fail.cpp case has its compiling twin here.
#include <zguard/pipeline.hpp>
#include <zguard/zguard.hpp>

#include <concepts>
#include <cstdint>
#include <string>

namespace zg = zguard;
namespace {
using D = zg::domain<"static">;
using BL = zg::limits<zg::send_hwm<10>, zg::recv_hwm<10>, zg::block_when_full, zg::max_message_size<1024>,
                      zg::linger_ms<0>, zg::send_timeout_ms<100>, zg::recv_timeout_ms<100>,
                      zg::handshake_timeout_ms<1000>>;
using DL = zg::limits<zg::drop_when_full, zg::recv_hwm<10>, zg::send_hwm<10>, zg::max_message_size<1024>,
                      zg::handshake_timeout_ms<1000>, zg::linger_ms<0>, zg::send_timeout_ms<100>,
                      zg::recv_timeout_ms<100>>;
using InprocL = zg::limits<zg::send_hwm<10>, zg::recv_hwm<10>, zg::block_when_full, zg::linger_ms<0>,
                           zg::send_timeout_ms<100>, zg::recv_timeout_ms<100>>;

// Valid combinations, policies in any order.
using curve_rep = zg::socket<D, zg::tcp, zg::rep, zg::curve_server, BL>;
using curve_req = zg::socket<zg::curve_client, BL, zg::req, zg::tcp, D>;
using plain_rep = zg::socket<D, zg::ipc, zg::rep, zg::plain_server, BL>;
using null_ipc = zg::socket<D, zg::ipc, zg::pull, zg::null_mechanism, BL>;
using inproc_pair = zg::socket<D, zg::inproc, zg::pair, zg::null_mechanism, InprocL>;
using lab_pub = zg::socket<D, zg::tcp, zg::pub, zg::insecure<"lab bench, no secrets">, DL>;
using curve_sub = zg::socket<D, zg::tcp, zg::sub, zg::curve_client, DL>;
struct mcast_tick {
  ZGUARD_SCHEMA("static.tick", 1);
  BOOST_HANA_DEFINE_STRUCT(mcast_tick, (std::uint32_t, seq));
};
using mcast_pub = zg::socket<D, zg::epgm, zg::pub, zg::insecure<"multicast demo">, DL,
                             zg::topic<"ticks", mcast_tick>, zg::signing<zg::ed25519>>;
using router_block = zg::socket<D, zg::tcp, zg::router, zg::curve_server, BL>;
using router_drop = zg::socket<D, zg::tcp, zg::router, zg::curve_server, DL>;

static_assert(zg::traits_of<curve_rep>::valid && zg::traits_of<curve_req>::valid && zg::traits_of<plain_rep>::valid &&
              zg::traits_of<null_ipc>::valid && zg::traits_of<inproc_pair>::valid && zg::traits_of<lab_pub>::valid &&
              zg::traits_of<curve_sub>::valid && zg::traits_of<mcast_pub>::valid &&
              zg::traits_of<router_block>::valid && zg::traits_of<router_drop>::valid);
static_assert(std::is_same_v<zg::traits_of<curve_req>::transport_type, zg::tcp> &&
              std::is_same_v<zg::traits_of<curve_req>::domain_type, D>);

// A socket's own scope has its operations only: what the type is, users read
// through zguard::traits_of<S>; the names zguard's parts use inside (the
// short policy names, argument counts, what only the core reads) are not
// reachable from a zguard::socket<...> at all.
template <class S>
concept exposes_internals =
    requires { typename S::D; } || requires { typename S::T; } || requires { typename S::P; } ||
    requires { typename S::M; } || requires { typename S::L; } || requires { typename S::C; } ||
    requires { typename S::S; } || requires { typename S::B; } || requires { typename S::traits; } ||
    requires { typename S::view; } || requires { S::gates_subscribers; } || requires { S::monitors_connections; } ||
    requires { S::takes_runtime_limits; } || requires { S::signing_arguments; } ||
    requires { typename S::pattern_type; } || requires { S::typed; } || requires { S::offers_send; } ||
    requires { S::valid; };
static_assert(!exposes_internals<curve_rep> && !exposes_internals<mcast_pub> && !exposes_internals<router_block> &&
              !exposes_internals<inproc_pair>);
// Nor the facets' injected class names, through which the internal traits
// were recovered by deduction (compile_fail/socket_internals_unreachable).
template <class S>
concept exposes_facets = requires { typename S::socket_handle; } || requires { typename S::socket_frames; } ||
                         requires { typename S::socket_core; } || requires { typename S::send_path; } ||
                         requires { typename S::receive_path; } || requires { typename S::service_protocol; } ||
                         requires { typename S::typed_messages; } || requires { typename S::raw_frames; } ||
                         requires { typename S::refused_socket; };
static_assert(!exposes_facets<curve_rep> && !exposes_facets<mcast_pub> && !exposes_facets<router_block>);
static_assert(std::is_final_v<curve_rep> && std::is_final_v<mcast_pub>);

// traits_of of anything but a zguard::socket<...> is no socket's view: a
// look-alike that declares the view's names still reads as invalid,
// unsigned and offering nothing (a proxy took one as its capture socket).
struct look_alike {
  using pattern_type = zg::pub;
  using domain_type = D;
  static constexpr bool valid = true, typed = false, is_signed = false, offers_send = true;
};
static_assert(!zg::traits_of<look_alike>::valid && !zg::traits_of<look_alike>::offers_send &&
              !std::is_same_v<zg::traits_of<look_alike>::pattern_type, zg::pub> &&
              !std::is_same_v<zg::traits_of<look_alike>::domain_type, D>);
static_assert(!zg::traits_of<int>::valid && std::is_same_v<zg::traits_of<int>::signing_algorithm, void>);
static_assert(std::is_same_v<zg::traits_of<curve_rep const&>::pattern_type, zg::rep>);

// Only the operations a pattern allows are offered (an absent one is a
// member whose body says why it is absent: see compile_fail/sub_cannot_send),
// and one family per kind: raw frames only without a channel.
template <class S>
concept can_send = zg::traits_of<S>::offers_send && !zg::traits_of<S>::typed && requires(S& s) { s.send("x"); };
template <class S>
concept can_recv = zg::traits_of<S>::offers_receive && !zg::traits_of<S>::typed && requires(S& s) { s.receive(); };
template <class S>
concept can_request = zg::traits_of<S>::offers_call && !zg::traits_of<S>::typed && requires(S& s) { s.call("x"); };
template <class S>
concept can_subscribe = zg::traits_of<S>::offers_subscribe && requires(S& s) { s.subscribe("t"); };
template <class S>
concept binds_text = requires(S& s) { s.bind("inproc://x"); };
template <class S, class E>
concept binds_endpoint = requires(S& s, E const& e) { s.bind(e); };

static_assert(can_send<lab_pub> && !can_recv<lab_pub>);
static_assert(!can_send<curve_sub> && can_recv<curve_sub> && can_subscribe<curve_sub>);
static_assert(!can_send<null_ipc> && can_recv<null_ipc> && !can_subscribe<null_ipc>);
static_assert(can_request<curve_req> && !can_request<curve_rep>);
// A signed socket has no raw frame API: nothing unsigned goes out, nothing
// unverified comes in (G7).
using signed_sub = zg::socket<D, zg::tcp, zg::sub, zg::curve_client, DL, zg::topic<"ticks", mcast_tick>,
                              zg::signing<zg::blake2b_mac, zg::freshness_ms<5000>, zg::replay_window<128>>>;
using signed_req = zg::socket<D, zg::tcp, zg::req, zg::curve_client, BL,
                              zg::service<mcast_tick, mcast_tick>, zg::signing<zg::ed25519>>;
static_assert(!can_send<mcast_pub> && !can_recv<signed_sub> &&
              !zg::traits_of<signed_sub>::offers_receive_multipart);
// A typed SUB subscribes to exactly its topic, when it is made.
static_assert(!can_subscribe<signed_sub>);
static_assert(!can_request<signed_req> && zg::traits_of<signed_req>::signs && zg::traits_of<signed_req>::verifies);
// Twin of compile_fail/typed_router_dropping: a typed ROUTER that blocks.
using typed_router = zg::socket<D, zg::tcp, zg::router, zg::curve_server, BL, zg::service<mcast_tick, mcast_tick>>;
static_assert(!exposes_internals<typed_router> && !exposes_internals<signed_sub>);  // a typed facet too
static_assert(zg::traits_of<typed_router>::valid && zg::traits_of<typed_router>::is_router);
static_assert(zg::traits_of<mcast_pub>::signs && !zg::traits_of<mcast_pub>::verifies &&
              !zg::traits_of<signed_sub>::signs && zg::traits_of<signed_sub>::verifies);
static_assert(zg::signing<zg::ed25519>::freshness == 30000 && zg::signing<zg::ed25519>::window == 1024);
static_assert(zg::traits_of<signed_sub>::signing_type::freshness == 5000 &&
              zg::traits_of<signed_sub>::signing_type::window == 128);
// inproc binds only typed endpoints of its own domain.
static_assert(!binds_text<inproc_pair> && binds_endpoint<inproc_pair, zg::endpoint<zg::inproc, D>>);
static_assert(!binds_endpoint<curve_rep, zg::endpoint<zg::inproc, D>>);

// Pattern pairs (RFC 28-31) and mechanism pairs.
static_assert(zg::compatible_patterns<zg::req, zg::rep> && zg::compatible_patterns<zg::rep, zg::req>);
static_assert(zg::compatible_patterns<zg::dealer, zg::router> && zg::compatible_patterns<zg::xpub, zg::xsub>);
static_assert(zg::compatible_patterns<zg::push, zg::pull> && zg::compatible_patterns<zg::pair, zg::pair>);
static_assert(!zg::compatible_patterns<zg::push, zg::sub> && !zg::compatible_patterns<zg::req, zg::req>);
static_assert(!zg::compatible_patterns<zg::pub, zg::pub> && !zg::compatible_patterns<zg::rep, zg::rep>);
static_assert(zg::compatible_mechanisms<zg::curve_client, zg::curve_server>);
static_assert(!zg::compatible_mechanisms<zg::curve_client, zg::curve_client>);
static_assert(!zg::compatible_mechanisms<zg::curve_client, zg::insecure<"x y z">>);
static_assert(zg::compatible_mechanisms<zg::null_mechanism, zg::insecure<"x y z">>);
static_assert(zg::compatible_mechanisms<zg::plain_client, zg::plain_server>);

// Keys are distinct types: nothing converts one into another.
static_assert(!std::convertible_to<zg::public_key, zg::secret_key>);
static_assert(!std::convertible_to<zg::secret_key, zg::public_key>);
static_assert(!std::copy_constructible<zg::secret_key> && !std::copy_constructible<zg::keypair>);

// Typed channels: the compiling twins of the schema compile-fail cases.
struct small {
  ZGUARD_SCHEMA("static.small", 1);
  BOOST_HANA_DEFINE_STRUCT(small, (std::uint32_t, id), (zg::bounded_string<8>, name));
};
struct reply {
  ZGUARD_SCHEMA("static.reply", 1);
  BOOST_HANA_DEFINE_STRUCT(reply, (bool, ok));
};
static_assert(zg::max_encoded_size<small> == 1 + 1 + 12 + 2 + 4 + 1 + 8);
using typed_push = zg::socket<D, zg::inproc, zg::push, zg::null_mechanism, InprocL, zg::stream<small>>;
using typed_pull = zg::socket<D, zg::inproc, zg::pull, zg::null_mechanism, InprocL, zg::stream<small>>;
using typed_req = zg::socket<D, zg::tcp, zg::req, zg::curve_client, BL, zg::service<small, reply>>;
using typed_rep = zg::socket<D, zg::tcp, zg::rep, zg::curve_server, BL, zg::service<small, reply>>;
using typed_sub = zg::socket<D, zg::tcp, zg::sub, zg::curve_client, DL, zg::topic<"t", small>>;
template <class S, class M>
concept can_send_message =
    zg::traits_of<S>::offers_send && zg::traits_of<S>::typed && requires(S& s, M const& m) { s.send(m); };
template <class S>
concept can_receive_message =
    zg::traits_of<S>::offers_receive && zg::traits_of<S>::typed && requires(S& s) { s.template receive<small>(); };
template <class S>
concept can_call =
    zg::traits_of<S>::offers_call && zg::traits_of<S>::typed && requires(S& s, small const& m) { s.call(m); };
static_assert(can_send_message<typed_push, small> && !can_receive_message<typed_push>);
static_assert(can_receive_message<typed_pull> && !can_send_message<typed_pull, small>);
static_assert(can_call<typed_req> && !can_call<typed_rep> && can_receive_message<typed_rep>);
static_assert(can_receive_message<typed_sub> && !can_send_message<typed_sub, small>);
// Without a channel there is no typed API.
static_assert(!can_send_message<curve_req, small> && !can_call<curve_req>);

// The vocabulary a policy exposes to generic code (what socket.hpp and
// link.hpp check against).
static_assert(BL::has<zg::limit_slot::max_message_size> && BL::has<zg::limit_slot::handshake_timeout> &&
              BL::has<zg::limit_slot::send_timeout> && BL::has<zg::limit_slot::overflow> && BL::blocks_when_full);
static_assert(!InprocL::has<zg::limit_slot::max_message_size> && !InprocL::has<zg::limit_slot::handshake_timeout>);
static_assert(zg::push::full == zg::when_full::blocks && zg::pub::full == zg::when_full::drops &&
              zg::router::full == zg::when_full::drops_or_errors);
static_assert(zg::curve_server::kind == zg::mechanism_kind::curve &&
              zg::curve_client::role == zg::mechanism_role::client &&
              zg::insecure<"lab bench">::role == zg::mechanism_role::none);
static_assert(zg::topic<"ticks", mcast_tick>::kind == zg::channel_kind::topic &&
              zg::stream<mcast_tick>::kind == zg::channel_kind::stream);
constexpr zg::schema_id tick_id = mcast_tick::zguard_schema_id;
static_assert(tick_id.name == "static.tick" && tick_id.version == 1);
constexpr zg::fixed_string link_name = "ticks";
static_assert(link_name.view() == "ticks" && link_name.size() == 5);
// Stage and link names: 1..64 of [A-Za-z0-9_-], both ends of the range.
static_assert(zg::detail::is_name_token(std::string(64, 'a')) && !zg::detail::is_name_token(std::string(65, 'a')) &&
              !zg::detail::is_name_token("") && zg::detail::is_name_token("A-z_0") &&
              !zg::detail::is_name_token("a b") && !zg::detail::is_name_token("\xc3\xa9"));
using longest_link = zg::link<"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "ipc://{dir}/long", D,
                              zg::ipc, zg::stream<mcast_tick>, zg::null_mechanism, 1024>;
static_assert(longest_link::name.size() == 64);
using tick_link = zg::link<"ticks", "ipc://{dir}/ticks", D, zg::ipc, zg::stream<mcast_tick>, zg::null_mechanism, 1024>;
static_assert(std::is_same_v<tick_link::signing_type, zg::unsigned_link> && !tick_link::is_signed);

// A closed vocabulary: only zguard's own tags (and its templates' own
// specializations) fill a slot; derived and look-alike types fill none
// (compile_fail/derived_*_tag, handwritten_*).
struct lan_tcp : zg::tcp {};
struct my_null : zg::null_mechanism {};
struct my_curve : zg::curve_server {};
struct my_rep : zg::rep {};
struct my_domain : D {};
struct my_limits : BL {};
struct my_hwm : zg::send_hwm<10> {};
struct fake_hwm {
  using limit = zg::limit_slot::send_hwm;
  static constexpr std::int64_t value = 0;
};
struct my_topic : zg::topic<"ticks", mcast_tick> {};
struct my_signing : zg::signing<zg::ed25519> {};
struct my_fresh : zg::freshness_ms<1000> {};
static_assert(zg::Transport<zg::tcp> && zg::Transport<zg::epgm> && !zg::Transport<lan_tcp>);
static_assert(zg::Mechanism<zg::curve_server> && zg::Mechanism<zg::insecure<"lab bench">> &&
              !zg::Mechanism<my_null> && !zg::Mechanism<my_curve>);
static_assert(zg::Pattern<zg::rep> && zg::Pattern<zg::xsub> && !zg::Pattern<my_rep>);
static_assert(zg::SecurityDomain<D> && !zg::SecurityDomain<my_domain>);
static_assert(zg::Limits<BL> && !zg::Limits<my_limits>);
static_assert(zg::LimitTag<zg::send_hwm<10>> && zg::LimitTag<zg::drop_when_full> &&
              zg::LimitTag<zg::per_peer_rate<10, 5>> && !zg::LimitTag<my_hwm> && !zg::LimitTag<fake_hwm>);
static_assert(zg::Channel<zg::topic<"ticks", mcast_tick>> && zg::Channel<zg::service<mcast_tick, mcast_tick>> &&
              !zg::Channel<my_topic>);
static_assert(zg::SigningPolicy<zg::signing<zg::ed25519, zg::freshness_ms<1000>>> && !zg::SigningPolicy<my_signing>);
static_assert(!zg::detail::SigningOption<my_fresh> && zg::detail::SigningOption<zg::replay_window<64>>);
static_assert(zg::detail::is_zguard_socket<curve_rep> && !zg::detail::is_zguard_socket<int>);

// Bounds (docs/bounds.md): the edges compile, one past them does not
// (compile_fail/*_too_large, *_too_long).
using edge_limits = zg::limits<zg::send_hwm<10'000'000>, zg::recv_hwm<1>, zg::block_when_full,
                               zg::max_message_size<(std::int64_t(256) << 20)>, zg::linger_ms<60'000>,
                               zg::send_timeout_ms<600'000>, zg::recv_timeout_ms<0>, zg::handshake_timeout_ms<60'000>,
                               zg::per_peer_rate<1'000'000, 1>>;
static_assert(edge_limits::send_hwm == 10'000'000 && edge_limits::max_message_size == 268'435'456 &&
              edge_limits::rate_burst == 1);
static_assert(zg::signing<zg::ed25519, zg::freshness_ms<600'000>, zg::replay_window<65536>>::freshness == 600'000);

// Connection settings (connection.hpp): the edges compile (compile_fail/
// heartbeat_*, reconnect_*, tcp_keepalive_*, connect_timeout_zero), each
// only where it applies (compile_fail/*_on_ipc, heartbeat_on_inproc,
// conflate_on_*).
using low_connection = zg::limits<zg::heartbeat<100, 100, 200>, zg::reconnect<10, 10>, zg::tcp_keepalive<1, 1, 1>,
                                  zg::connect_timeout_ms<1>>;
using high_connection = zg::limits<zg::heartbeat<300'000, 600'000, 600'000>, zg::reconnect<60'000, 600'000>,
                                   zg::tcp_keepalive<7'200, 600, 100>, zg::connect_timeout_ms<120'000>>;
static_assert(low_connection::has<zg::limit_slot::heartbeat> && high_connection::has<zg::limit_slot::connect_timeout>);
struct my_heartbeat : zg::heartbeat<1000, 3000, 5000> {};
struct my_conflate : zg::conflate {};
static_assert(zg::LimitTag<zg::heartbeat<1000, 3000, 5000>> && zg::LimitTag<zg::immediate> &&
              zg::LimitTag<zg::conflate> && !zg::LimitTag<my_heartbeat> && !zg::LimitTag<my_conflate>);
using BLConnection = zg::limits<zg::send_hwm<10>, zg::recv_hwm<10>, zg::block_when_full, zg::max_message_size<1024>,
                                zg::linger_ms<0>, zg::send_timeout_ms<100>, zg::recv_timeout_ms<100>,
                                zg::handshake_timeout_ms<1000>, zg::heartbeat<1000, 3000, 5000>,
                                zg::reconnect<100, 5000>, zg::tcp_keepalive<60, 10, 5>, zg::connect_timeout_ms<2000>,
                                zg::immediate, zg::conflate>;
// Conflate on a typed stream, signed too (one sealed frame a message).
static_assert(zg::traits_of<zg::socket<D, zg::tcp, zg::push, zg::curve_client, BLConnection, zg::stream<mcast_tick>>>::valid);
static_assert(zg::traits_of<zg::socket<D, zg::tcp, zg::pull, zg::curve_server, BLConnection, zg::stream<mcast_tick>,
                                       zg::signing<zg::ed25519>>>::valid);
// The defaults: what an absent tag means (docs/bounds.md).
using defaults = zg::detail::connection_settings<BL, zg::tcp>;
static_assert(defaults::heartbeat::interval_ms == 5'000 && defaults::heartbeat::timeout_ms == 15'000 &&
              defaults::heartbeat::ttl_ms == 15'000 && defaults::reconnect::interval_ms == 100 &&
              defaults::reconnect::max_ms == 2'000 && defaults::connect_timeout::value == 5'000 &&
              !defaults::keepalive_on && !defaults::immediate && !defaults::conflate);

// Schema size arithmetic saturates instead of wrapping.
struct huge_nested {
  ZGUARD_SCHEMA("static.huge", 1);
  BOOST_HANA_DEFINE_STRUCT(huge_nested, (zg::bounded_vector<zg::bounded_string<0xffffffff>, 0xffffffff>, items));
};
static_assert(zg::max_encoded_size<huge_nested> == SIZE_MAX);
static_assert(zg::max_encoded_size<mcast_tick> == 1 + 1 + 11 + 2 + 4);

// Views stay usable with decode() over a caller's buffer; channels refuse them
// (compile_fail/view_in_channel).
struct viewed {
  ZGUARD_SCHEMA("static.viewed", 1);
  BOOST_HANA_DEFINE_STRUCT(viewed, (zg::bounded_string_view<8>, text));
};
struct view_deep {
  ZGUARD_SCHEMA("static.deep", 1);
  BOOST_HANA_DEFINE_STRUCT(view_deep, (std::optional<std::array<zg::bounded_vector<viewed, 2>, 2>>, deep));
};
static_assert(zg::detail::has_view_field<viewed>() && zg::detail::has_view_field<view_deep>() &&
              !zg::detail::has_view_field<mcast_tick>());
static_assert(zg::max_encoded_size<viewed> > 0);

// --- Derived stage sockets (link.hpp) -------------------------------------
// link_socket<Link, Side, Pattern, Limits>, and so binds/connects<Link,
// Pattern, Limits>, give exactly the type one would write by hand: the
// link's domain, transport, channel and signing policy; the binder the
// link's mechanism, a connector the CURVE client of a CURVE link
// (compile_fail/pipeline_derived_*, link_socket_side_not_a_side).
struct curve_jobs
    : zg::link<"jobs", "tcp://127.0.0.1:*", D, zg::tcp, zg::stream<mcast_tick>, zg::curve_server, 1024> {};
static_assert(std::is_same_v<zg::link_socket<curve_jobs, zg::binder, zg::push, BL>,
                             zg::socket<D, zg::tcp, zg::push, zg::curve_server, BL, zg::stream<mcast_tick>>>);
static_assert(std::is_same_v<zg::link_socket<curve_jobs, zg::connector, zg::pull, BL>,
                             zg::socket<D, zg::tcp, zg::pull, zg::curve_client, BL, zg::stream<mcast_tick>>>);
static_assert(std::is_same_v<zg::link_socket<tick_link, zg::binder, zg::pull, BL>,
                             zg::socket<D, zg::ipc, zg::pull, zg::null_mechanism, BL, zg::stream<mcast_tick>>>);
static_assert(std::is_same_v<zg::link_socket<tick_link, zg::connector, zg::push, BL>,
                             zg::socket<D, zg::ipc, zg::push, zg::null_mechanism, BL, zg::stream<mcast_tick>>>);
using lab_ticks = zg::link<"lab", "tcp://127.0.0.1:*", D, zg::tcp, zg::stream<mcast_tick>, zg::insecure<"lab">, 1024>;
static_assert(std::is_same_v<zg::link_socket<lab_ticks, zg::connector, zg::pull, BL>,
                             zg::socket<D, zg::tcp, zg::pull, zg::insecure<"lab">, BL, zg::stream<mcast_tick>>>);
using signed_ticks = zg::link<"signed", "tcp://127.0.0.1:*", D, zg::tcp, zg::topic<"ticks", mcast_tick>,
                              zg::curve_server, 1024, zg::signing<zg::ed25519, zg::freshness_ms<1000>>>;
using tick_pub = zg::socket<D, zg::tcp, zg::pub, zg::curve_server, DL, zg::topic<"ticks", mcast_tick>,
                            zg::signing<zg::ed25519, zg::freshness_ms<1000>>>;
using tick_sub = zg::socket<D, zg::tcp, zg::sub, zg::curve_client, DL, zg::topic<"ticks", mcast_tick>,
                            zg::signing<zg::ed25519, zg::freshness_ms<1000>>>;
static_assert(std::is_same_v<zg::link_socket<signed_ticks, zg::binder, zg::pub, DL>, tick_pub> &&
              std::is_same_v<zg::link_socket<signed_ticks, zg::connector, zg::sub, DL>, tick_sub>);
static_assert(zg::traits_of<tick_pub>::valid && zg::traits_of<tick_sub>::valid);
struct tick_source : zg::stage<"source", zg::binds<signed_ticks, zg::pub, DL>> {};
struct tick_reader : zg::stage<"reader", zg::connects<signed_ticks, zg::sub, DL>> {};
static_assert(std::is_same_v<tick_source::socket_on<signed_ticks>, tick_pub> &&
              std::is_same_v<tick_reader::socket_on<signed_ticks>, tick_sub>);
static_assert(zg::pipeline<tick_source, tick_reader>::checked);
// --- end of derived stage sockets -----------------------------------------

// A socket starts from its limits' declared values, one per runtime key
// (a ranged tag's stand-in until the constructor chooses): each at its place.
template <class L>
constexpr bool starts_from_declared() {
  constexpr auto v = zg::detail::fixed_limits<L>();
  return v.send_hwm == L::send_hwm && v.recv_hwm == L::recv_hwm && v.linger_ms == L::linger &&
         v.send_timeout_ms == L::send_timeout && v.recv_timeout_ms == L::recv_timeout;
}
using RangedL = zg::limits<zg::send_hwm_in<10, 1000>, zg::recv_hwm<7>, zg::block_when_full, zg::linger_ms_in<0, 50>,
                           zg::send_timeout_ms<300>, zg::recv_timeout_ms<400>>;
static_assert(starts_from_declared<BL>() && starts_from_declared<InprocL>() && starts_from_declared<RangedL>());
static_assert(zg::detail::fixed_limits<RangedL>().send_hwm == 1000 && zg::detail::fixed_limits<RangedL>().recv_hwm == 7 &&
              zg::detail::fixed_limits<RangedL>().linger_ms == 50 && zg::detail::fixed_limits<RangedL>().recv_timeout_ms == 400);

// The compiling twins of the connect() compile-fail cases.
[[maybe_unused]] void twins(zg::context<D>& ctx, zg::authenticator<D>& auth, zg::keypair const& k,
                            zg::public_key const& server) {
  curve_rep rep(ctx, auth, k);
  curve_req req(ctx, k, server);
  req.connect(rep.bind("tcp://127.0.0.1:*"));
  inproc_pair a(ctx), b(ctx);
  b.connect(a.bind(zg::endpoint<zg::inproc, D>("inproc://twins")));
}
}  // namespace
