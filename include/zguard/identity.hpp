// zguard/identity.hpp - what kind of identity an authenticated peer has
// (G18).
//
// A ZAP User-Id is text: a CURVE key in Z85 (40 bytes) or a PLAIN user name
// (1..255 bytes of anything, so also 40 bytes of Z85). The text cannot say
// which it is; the mechanism that authenticated the peer does. So wherever
// zguard keeps, compares, vouches for or logs an identity, the kind goes
// with the text, taken from the mechanism and never guessed from the text:
// a user named like a key is not that key.
#pragma once

#include <optional>
#include <string_view>

#include <zguard/security.hpp>

namespace zguard {
inline namespace v0 {

// Who a rule is for: a CURVE key (its Z85 text, as the ZAP User-Id) or a
// PLAIN user name. Kept apart, so a user named like a key gets nothing of it.
enum class identity_kind { key, user };

constexpr std::string_view to_string(identity_kind k) { return k == identity_kind::key ? "key" : "user"; }

// The kind of the User-Ids a server mechanism sets: CURVE keys, PLAIN
// users; NULL authenticates no one (empty).
constexpr std::optional<identity_kind> identity_kind_of(mechanism_kind m) {
  if (m == mechanism_kind::curve) return identity_kind::key;
  if (m == mechanism_kind::plain) return identity_kind::user;
  return std::nullopt;
}

namespace detail {
// An event's "identity_kind" field: "key", "user", or "none" for no one.
constexpr std::string_view identity_kind_text(std::optional<identity_kind> k) { return k ? to_string(*k) : "none"; }
}  // namespace detail

}  // namespace v0
}  // namespace zguard
