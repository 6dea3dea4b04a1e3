// zguard/security.hpp - security mechanisms as types (G1, G2, G4).
//
// The mechanism slot of a socket says how peers authenticate. Which
// transports accept which mechanism, and what each needs at construction
// (keys, an authenticator), is checked by zguard::socket; the rules are
// listed in docs/architecture.md and docs/threat-model.md.
#pragma once

#include <sodium.h>

#include <cstring>
#include <string>
#include <string_view>
#include <type_traits>

#include <zguard/fixed_string.hpp>
#include <zguard/detail/closed.hpp>
#include <zguard/detail/guarded_bytes.hpp>
#include <zguard/keys.hpp>
#include <zguard/slots.hpp>

namespace zguard {
inline namespace v0 {

enum class mechanism_kind { null, plain, curve };
enum class mechanism_role { none, server, client };

namespace detail {
template <mechanism_kind K, mechanism_role R, bool Insecure = false>
struct mechanism_tag {
  using zguard_slot = slot::mechanism;
  static constexpr mechanism_kind kind = K;
  static constexpr mechanism_role role = R;
  static constexpr std::string_view name =
      K == mechanism_kind::curve ? "CURVE" : K == mechanism_kind::plain ? "PLAIN" : "NULL";
  static constexpr bool is_insecure = Insecure;
};
}  // namespace detail

// NULL security: no authentication, no encryption. Allowed on inproc and ipc
// (where the process boundary or file permissions protect the channel).
struct null_mechanism : detail::mechanism_tag<mechanism_kind::null, mechanism_role::none> {};

// NULL security where the type must say why: the only way to have NULL on tcp
// and the acknowledgement multicast (pgm/epgm) needs. The reason shows in the
// type, in every security profile and in a start-up warning event.
template <fixed_string Reason>
struct insecure : detail::mechanism_tag<mechanism_kind::null, mechanism_role::none, true> {
  static_assert(Reason.size() >= 3 && Reason.size() <= 256,
                "zguard::insecure<\"reason\">: give a reason a reviewer can read (3..256 characters)");
  static constexpr std::string_view reason = Reason.view();
};

// PLAIN: user name and password, sent in clear: ipc only (G2). The server side
// verifies against crypto_pwhash_str hashes in the authenticator.
struct plain_server : detail::mechanism_tag<mechanism_kind::plain, mechanism_role::server> {};
struct plain_client : detail::mechanism_tag<mechanism_kind::plain, mechanism_role::client> {};

// CURVE (CurveZMQ): encrypted and mutually authenticated by Curve25519 keys.
struct curve_server : detail::mechanism_tag<mechanism_kind::curve, mechanism_role::server> {};
struct curve_client : detail::mechanism_tag<mechanism_kind::curve, mechanism_role::client> {};

namespace detail {
// Exactly the tags above (and insecure<"reason">): a type derived from one,
// or from detail::mechanism_tag, is not a mechanism; it could say "NULL, not
// insecure" on tcp or claim CURVE while the rules compare with these types.
struct mechanism_tags {
  static consteval bool of(...) { return false; }
  static consteval bool of(null_mechanism**) { return true; }
  template <fixed_string R>
  static consteval bool of(insecure<R>**) { return true; }
  static consteval bool of(plain_server**) { return true; }
  static consteval bool of(plain_client**) { return true; }
  static consteval bool of(curve_server**) { return true; }
  static consteval bool of(curve_client**) { return true; }
};
template <class M>
concept is_mechanism_tag = closed_member<mechanism_tags, M>;
}  // namespace detail

// Mechanism: one of the tags above, exactly.
//   semantics: kind and role decide the socket options and what the socket's
//   constructor requires; is_insecure marks an explicit opt-out.
template <class M>
concept Mechanism = detail::is_mechanism_tag<M>;

// Whether two ends can complete a handshake: CURVE client <-> server, PLAIN
// client <-> server, NULL <-> NULL.
template <class A, class B>
inline constexpr bool compatible_mechanisms =
    A::kind == B::kind &&
    (A::kind == mechanism_kind::null ||
     (A::role != B::role && A::role != mechanism_role::none &&
      B::role != mechanism_role::none));

// A PLAIN client's credentials; the password lives in guarded memory.
class plain_credentials {
 public:
  plain_credentials(std::string username, std::string_view password)
      : username_(std::move(username)), password_(password.size()) {
    if (username_.empty() || username_.size() > 255 || password.size() > 255)
      throw key_error("zguard::plain_credentials: user name and password must be 1..255 bytes");
    std::memcpy(password_.writable(), password.data(), password.size());
    password_.seal();
  }
  std::string const& username() const { return username_; }
  const unsigned char* password_data() const { return password_.data(); }
  std::size_t password_size() const { return password_.size(); }

 private:
  std::string username_;
  detail::guarded_bytes password_;
};

}  // namespace v0
}  // namespace zguard
