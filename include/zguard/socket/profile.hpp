// zguard/socket/profile.hpp - a socket type described from its types alone
// (G17): what an audit reads, and the short label events carry.
#pragma once

#include <string>

#include <zguard/limits.hpp>
#include <zguard/security.hpp>

namespace zguard {
inline namespace v0 {
namespace detail {

inline std::string mechanism_label(mechanism_kind k, mechanism_role r, bool insecure) {
  std::string s = k == mechanism_kind::curve ? "CURVE" : k == mechanism_kind::plain ? "PLAIN" : "NULL";
  if (r == mechanism_role::server) s += " server";
  if (r == mechanism_role::client) s += " client";
  if (insecure) s += " (INSECURE)";
  return s;
}

// "REQ/CURVE client/tcp@billing": pattern, mechanism, transport, domain.
template <class Tr>
std::string label_of() {
  using M = typename Tr::M;
  return std::string(Tr::P::name) + "/" + mechanism_label(M::kind, M::role, M::is_insecure) + "/" +
         std::string(Tr::T::scheme) + "@" + std::string(Tr::D::name);
}

template <class Tr>
std::string profile_of() {
  using D = typename Tr::D;
  using M = typename Tr::M;
  using L = typename Tr::L;
  using S = typename Tr::S;
  std::string s = std::string(Tr::P::name) + " socket; domain=" + std::string(D::name) +
                  "; transport=" + std::string(Tr::T::scheme) +
                  "; mechanism=" + mechanism_label(M::kind, M::role, M::is_insecure);
  if constexpr (M::is_insecure) s += " reason=\"" + std::string(M::reason) + "\"";
  if constexpr (M::role == mechanism_role::server)
    s += "; authenticator=required (ZAP domain '" + std::string(D::name) + "')";
  s += "; send_hwm=" + std::to_string(L::send_hwm) + "; recv_hwm=" + std::to_string(L::recv_hwm) +
       "; when_full=" + std::string(L::template get<limit_slot::overflow>::name);
  if constexpr (L::template has<limit_slot::max_message_size>)
    s += "; max_message_size=" + std::to_string(L::max_message_size);
  s += "; linger_ms=" + std::to_string(L::linger) + "; send_timeout_ms=" + std::to_string(L::send_timeout) +
       "; recv_timeout_ms=" + std::to_string(L::recv_timeout);
  if constexpr (L::template has<limit_slot::handshake_timeout>)
    s += "; handshake_timeout_ms=" + std::to_string(L::handshake_timeout);
  if constexpr (Tr::rate_limited)
    s += "; per_peer_rate=" + std::to_string(L::rate_per_second) + "/s burst " + std::to_string(L::rate_burst);
  if constexpr (Tr::is_signed) {
    s += "; signing=" + std::string(Tr::signing_algorithm::name);
    if constexpr (Tr::signs) s += " signs";
    if constexpr (Tr::verifies)
      s += " verifies (freshness_ms=" + std::to_string(S::freshness) + ", replay_window=" + std::to_string(S::window) + ")";
  } else if constexpr (Tr::typed) {
    s += "; signing=none";
  }
  if constexpr (Tr::checks_vouch)
    s += "; vouched=blake2b-256 (freshness_ms=" + std::to_string(Tr::vouch_type::freshness) + ")";
  return s;
}

}  // namespace detail
}  // namespace v0
}  // namespace zguard
