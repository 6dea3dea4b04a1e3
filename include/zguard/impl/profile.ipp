// zguard/impl/profile.ipp - the definitions of zguard/socket/profile.hpp that ZGUARD_DECL
// declares: inline in every translation unit, or compiled once with
// ZGUARD_SEPARATE_COMPILATION (zguard/detail/compiled.hpp).
#pragma once

#include <zguard/socket/profile.hpp>

namespace zguard {
inline namespace v0 {
namespace detail {

ZGUARD_DECL std::string mechanism_label(mechanism_kind k, mechanism_role r, bool insecure) {
  std::string s = k == mechanism_kind::curve ? "CURVE" : k == mechanism_kind::plain ? "PLAIN" : "NULL";
  if (r == mechanism_role::server) s += " server";
  if (r == mechanism_role::client) s += " client";
  if (insecure) s += " (INSECURE)";
  return s;
}

ZGUARD_DECL std::string applied_limits_text(limit_values const& v) {
  return "send_hwm=" + std::to_string(v.send_hwm) + "; recv_hwm=" + std::to_string(v.recv_hwm) +
         "; linger_ms=" + std::to_string(v.linger_ms) + "; send_timeout_ms=" + std::to_string(v.send_timeout_ms) +
         "; recv_timeout_ms=" + std::to_string(v.recv_timeout_ms);
}
}  // namespace detail
}  // namespace v0
}  // namespace zguard
