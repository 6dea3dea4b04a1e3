// zguard/socket/options.hpp - the libzmq options a socket type declares
// (limits: G5, G6; connection settings and their defaults; REQ recovery;
// ROUTER_MANDATORY), set once at construction and read back at every bind
// and connect.
#pragma once

#include <zmq.hpp>

#include <cstdint>
#include <string>

#include <zguard/connection.hpp>
#include <zguard/limits.hpp>
#include <zguard/pattern.hpp>
#include <zguard/security.hpp>

namespace zguard {
inline namespace v0 {
namespace detail {

// The options a socket type declares, as one table: each entry is the
// name a changed option is reported by, the libzmq option and the value the
// type gives it (`v`: the HWMs, linger and timeouts, declared or, for
// ranged tags, chosen at start-up and checked against their ranges,
// limits.hpp). Setting them and reading them back both walk this table, so
// an option cannot be set without being checked, or checked under another
// value. visit(name, option, value, readable): libzmq 4.3.4 cannot read
// back ROUTER_MANDATORY, REQ_RELAXED and REQ_CORRELATE (write-only).
// The mechanism and its keys (mechanism.hpp) and the ZAP domain are set
// and checked apart: the domain may be replaced by a feed's gate.
template <class Tr, class Visit>
void for_each_declared_option(limit_values const& v, Visit&& visit) {
  using L = typename Tr::L;
  using C = connection_settings<L, typename Tr::T>;
  // The libzmq options a configuration file may choose (limit_values.hpp's
  // list; the rate and burst are no libzmq option).
  for_each_runtime_key([&]<class K>(K) {
    if constexpr (K::option >= 0)
      visit(K::name.data(), zmq::sockopt::integral_option<K::option, int, false>{}, int(v.*K::value), true);
  });
  if constexpr (L::template has<limit_slot::max_message_size>)
    visit("max_message_size", zmq::sockopt::maxmsgsize, std::int64_t(L::max_message_size), true);
  if constexpr (L::template has<limit_slot::handshake_timeout>)
    visit("handshake_timeout_ms", zmq::sockopt::handshake_ivl, int(L::handshake_timeout), true);
  if constexpr (Tr::is_router && L::blocks_when_full)
    visit("router_mandatory", zmq::sockopt::router_mandatory, 1, false);
  if constexpr (std::is_same_v<typename Tr::P, req>) {
    // REQ_RELAXED lets a new request go out after a lost reply,
    // REQ_CORRELATE discards late replies to the old one (G6).
    visit("req_relaxed", zmq::sockopt::req_relaxed, 1, false);
    visit("req_correlate", zmq::sockopt::req_correlate, 1, false);
  }
  // Heartbeats, reconnect, keepalive, connect timeout, immediate, conflate:
  // the declared tag or zguard's default (connection.hpp), each where it
  // applies to the transport.
  if constexpr (C::has_connections) {
    visit("heartbeat interval", zmq::sockopt::heartbeat_ivl, C::heartbeat::interval_ms, true);
    visit("heartbeat timeout", zmq::sockopt::heartbeat_timeout, C::heartbeat::timeout_ms, true);
    visit("heartbeat ttl", zmq::sockopt::heartbeat_ttl, C::heartbeat::ttl_ms, true);
    visit("reconnect interval", zmq::sockopt::reconnect_ivl, C::reconnect::interval_ms, true);
    visit("reconnect interval max", zmq::sockopt::reconnect_ivl_max, C::reconnect::max_ms, true);
  }
  if constexpr (C::is_tcp) {
    // Off is set, not left to libzmq's -1 (the system's choice).
    visit("tcp_keepalive", zmq::sockopt::tcp_keepalive, C::keepalive_on ? 1 : 0, true);
    if constexpr (C::keepalive_on) {
      visit("tcp_keepalive idle", zmq::sockopt::tcp_keepalive_idle, C::keepalive::idle_s, true);
      visit("tcp_keepalive interval", zmq::sockopt::tcp_keepalive_intvl, C::keepalive::interval_s, true);
      visit("tcp_keepalive count", zmq::sockopt::tcp_keepalive_cnt, C::keepalive::count, true);
    }
    visit("connect_timeout_ms", zmq::sockopt::connect_timeout, C::connect_timeout::value, true);
  }
  visit("immediate", zmq::sockopt::immediate, int(C::immediate), true);
  visit("conflate", zmq::sockopt::conflate, int(C::conflate), true);
}

template <class Tr>
void apply_declared_options(zmq::socket_t& sock, limit_values const& v) {
  for_each_declared_option<Tr>(v, [&](char const*, auto option, auto value, bool) { sock.set(option, value); });
  // With no ZAP domain, libzmq's CURVE skips ZAP altogether.
  sock.set(zmq::sockopt::zap_domain, std::string(Tr::D::name));
}

// Defence in depth: libzmq must still hold what the type declares
// (mechanism, server role, every readable option of the table, ZAP domain:
// the domain's name, or an authorized XPUB's gate). The first option that
// differs, or nullptr.
template <class Tr>
char const* first_changed_option(zmq::socket_t& sock, limit_values const& v, std::string_view zap_domain) {
  using M = typename Tr::M;
  int const want = M::kind == mechanism_kind::curve ? ZMQ_CURVE : M::kind == mechanism_kind::plain ? ZMQ_PLAIN : ZMQ_NULL;
  if (sock.get(zmq::sockopt::mechanism) != want) return "mechanism";
  if constexpr (M::role == mechanism_role::server && M::kind == mechanism_kind::curve)
    if (!sock.get(zmq::sockopt::curve_server)) return "CURVE server role";
  if constexpr (M::role == mechanism_role::server && M::kind == mechanism_kind::plain)
    if (!sock.get(zmq::sockopt::plain_server)) return "PLAIN server role";
  char const* changed = nullptr;
  for_each_declared_option<Tr>(v, [&](char const* name, auto option, auto value, bool readable) {
    if (!changed && readable && sock.get(option) != value) changed = name;
  });
  if (changed) return changed;
  if (sock.get(zmq::sockopt::zap_domain) != zap_domain) return "ZAP domain";
  return nullptr;
}

// IPv6 (dual stack) for "[addr]" and "*" hosts; plain IPv4 otherwise, so
// IPv4 peers are reported as a.b.c.d rather than ::ffff:a.b.c.d.
inline void use_ipv6_for(zmq::socket_t& sock, std::string_view host) {
  sock.set(zmq::sockopt::ipv6, (host.starts_with("[") || host.starts_with("*:")) ? 1 : 0);
}

}  // namespace detail
}  // namespace v0
}  // namespace zguard
