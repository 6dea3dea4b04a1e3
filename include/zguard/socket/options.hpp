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

// Heartbeats, reconnect, keepalive, connect timeout, immediate, conflate:
// the declared tag or zguard's default (connection.hpp), each where it
// applies to the transport.
template <class Tr>
void apply_connection_options(zmq::socket_t& sock) {
  using C = connection_settings<typename Tr::L, typename Tr::T>;
  if constexpr (C::has_connections) {
    sock.set(zmq::sockopt::heartbeat_ivl, C::heartbeat::interval_ms);
    sock.set(zmq::sockopt::heartbeat_timeout, C::heartbeat::timeout_ms);
    sock.set(zmq::sockopt::heartbeat_ttl, C::heartbeat::ttl_ms);
    sock.set(zmq::sockopt::reconnect_ivl, C::reconnect::interval_ms);
    sock.set(zmq::sockopt::reconnect_ivl_max, C::reconnect::max_ms);
  }
  if constexpr (C::is_tcp) {
    // Off is set, not left to libzmq's -1 (the system's choice).
    sock.set(zmq::sockopt::tcp_keepalive, C::keepalive_on ? 1 : 0);
    if constexpr (C::keepalive_on) {
      sock.set(zmq::sockopt::tcp_keepalive_idle, C::keepalive::idle_s);
      sock.set(zmq::sockopt::tcp_keepalive_intvl, C::keepalive::interval_s);
      sock.set(zmq::sockopt::tcp_keepalive_cnt, C::keepalive::count);
    }
    sock.set(zmq::sockopt::connect_timeout, C::connect_timeout::value);
  }
  sock.set(zmq::sockopt::immediate, C::immediate);
  sock.set(zmq::sockopt::conflate, C::conflate);
}

// The first connection setting libzmq no longer holds as declared, or
// nullptr.
template <class Tr>
char const* first_changed_connection_option(zmq::socket_t& sock) {
  using C = connection_settings<typename Tr::L, typename Tr::T>;
  if constexpr (C::has_connections) {
    if (sock.get(zmq::sockopt::heartbeat_ivl) != C::heartbeat::interval_ms) return "heartbeat interval";
    if (sock.get(zmq::sockopt::heartbeat_timeout) != C::heartbeat::timeout_ms) return "heartbeat timeout";
    if (sock.get(zmq::sockopt::heartbeat_ttl) != C::heartbeat::ttl_ms) return "heartbeat ttl";
    if (sock.get(zmq::sockopt::reconnect_ivl) != C::reconnect::interval_ms) return "reconnect interval";
    if (sock.get(zmq::sockopt::reconnect_ivl_max) != C::reconnect::max_ms) return "reconnect interval max";
  }
  if constexpr (C::is_tcp) {
    if (sock.get(zmq::sockopt::tcp_keepalive) != (C::keepalive_on ? 1 : 0)) return "tcp_keepalive";
    if (sock.get(zmq::sockopt::tcp_keepalive_idle) != C::keepalive::idle_s) return "tcp_keepalive idle";
    if (sock.get(zmq::sockopt::tcp_keepalive_intvl) != C::keepalive::interval_s) return "tcp_keepalive interval";
    if (sock.get(zmq::sockopt::tcp_keepalive_cnt) != C::keepalive::count) return "tcp_keepalive count";
    if (sock.get(zmq::sockopt::connect_timeout) != C::connect_timeout::value) return "connect_timeout_ms";
  }
  if (sock.get(zmq::sockopt::immediate) != C::immediate) return "immediate";
  if (sock.get(zmq::sockopt::conflate) != C::conflate) return "conflate";
  return nullptr;
}

// `v`: the HWMs, linger and timeouts, declared or (ranged tags) chosen at
// start-up and already checked against their ranges (limits.hpp).
template <class Tr>
void apply_declared_options(zmq::socket_t& sock, limit_values const& v) {
  using L = typename Tr::L;
  sock.set(zmq::sockopt::sndhwm, int(v.send_hwm));
  sock.set(zmq::sockopt::rcvhwm, int(v.recv_hwm));
  sock.set(zmq::sockopt::linger, int(v.linger_ms));
  sock.set(zmq::sockopt::sndtimeo, int(v.send_timeout_ms));
  sock.set(zmq::sockopt::rcvtimeo, int(v.recv_timeout_ms));
  if constexpr (L::template has<limit_slot::max_message_size>)
    sock.set(zmq::sockopt::maxmsgsize, std::int64_t(L::max_message_size));
  if constexpr (L::template has<limit_slot::handshake_timeout>)
    sock.set(zmq::sockopt::handshake_ivl, int(L::handshake_timeout));
  if constexpr (Tr::is_router && L::blocks_when_full) sock.set(zmq::sockopt::router_mandatory, 1);
  if constexpr (std::is_same_v<typename Tr::P, req>) {
    // REQ_RELAXED lets a new request go out after a lost reply,
    // REQ_CORRELATE discards late replies to the old one (G6).
    sock.set(zmq::sockopt::req_relaxed, 1);
    sock.set(zmq::sockopt::req_correlate, 1);
  }
  apply_connection_options<Tr>(sock);
  // With no ZAP domain, libzmq's CURVE skips ZAP altogether.
  sock.set(zmq::sockopt::zap_domain, std::string(Tr::D::name));
}

// Defence in depth: libzmq must still hold what the type declares
// (mechanism, server role, limits, connection settings, ZAP domain: the
// domain's name, or an authorized XPUB's gate). The first option that
// differs, or nullptr.
template <class Tr>
char const* first_changed_option(zmq::socket_t& sock, limit_values const& v, std::string_view zap_domain) {
  using M = typename Tr::M;
  using L = typename Tr::L;
  int const want = M::kind == mechanism_kind::curve ? ZMQ_CURVE : M::kind == mechanism_kind::plain ? ZMQ_PLAIN : ZMQ_NULL;
  if (sock.get(zmq::sockopt::mechanism) != want) return "mechanism";
  if constexpr (M::role == mechanism_role::server && M::kind == mechanism_kind::curve)
    if (!sock.get(zmq::sockopt::curve_server)) return "CURVE server role";
  if constexpr (M::role == mechanism_role::server && M::kind == mechanism_kind::plain)
    if (!sock.get(zmq::sockopt::plain_server)) return "PLAIN server role";
  if (sock.get(zmq::sockopt::sndhwm) != int(v.send_hwm)) return "send_hwm";
  if (sock.get(zmq::sockopt::rcvhwm) != int(v.recv_hwm)) return "recv_hwm";
  if (sock.get(zmq::sockopt::linger) != int(v.linger_ms)) return "linger_ms";
  if (sock.get(zmq::sockopt::sndtimeo) != int(v.send_timeout_ms)) return "send_timeout_ms";
  if (sock.get(zmq::sockopt::rcvtimeo) != int(v.recv_timeout_ms)) return "recv_timeout_ms";
  if constexpr (L::template has<limit_slot::max_message_size>)
    if (sock.get(zmq::sockopt::maxmsgsize) != std::int64_t(L::max_message_size)) return "max_message_size";
  if constexpr (L::template has<limit_slot::handshake_timeout>)
    if (sock.get(zmq::sockopt::handshake_ivl) != int(L::handshake_timeout)) return "handshake_timeout_ms";
  if (char const* changed = first_changed_connection_option<Tr>(sock)) return changed;
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
