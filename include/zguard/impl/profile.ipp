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
}  // namespace detail
}  // namespace v0
}  // namespace zguard
