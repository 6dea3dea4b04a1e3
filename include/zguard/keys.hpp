// zguard/keys.hpp - CURVE keys as distinct types (G4).
//
// A public key, a secret key and a keypair cannot be mixed up: they are
// different types with no conversions. Secret bytes live in libsodium
// guarded memory (read-only once filled, wiped when freed) and are never
// turned into a std::string. Z85 text is validated before decoding, and a
// keypair is checked: its secret must derive its public key.
#pragma once

#include <zguard/detail/compiled.hpp>

#include <sodium.h>
#include <zmq.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>

#include <zguard/detail/guarded_bytes.hpp>
#include <zguard/detail/policy_set.hpp>
#include <zguard/version.hpp>

namespace zguard {
inline namespace v0 {

// Bad key input on a configuration path. The text says what is wrong and
// never contains key material.
struct key_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

namespace detail {
// The Z85 alphabet (ZeroMQ RFC 32).
inline bool is_z85_char(char c) {
  constexpr std::string_view alphabet =
      "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";
  return alphabet.find(c) != std::string_view::npos;
}

// Decodes 40 Z85 characters into 32 bytes at out; throws key_error.
ZGUARD_DECL void z85_decode_key(std::string_view text, std::uint8_t* out, char const* what);

// True for the Curve25519 points of small order (all-zero and its kin):
// X25519 clears the cofactor, so any scalar times one of them is zero, and
// libsodium refuses that result. A key there makes a shared secret everyone
// knows.
inline bool is_small_order_curve_key(std::uint8_t const* key) {
  check_runtime();
  std::array<std::uint8_t, 32> scalar{}, out{};
  scalar.fill(0x5a);
  return crypto_scalarmult(out.data(), scalar.data(), key) != 0;
}
}  // namespace detail

class public_key {
  struct made_here {
    explicit made_here() = default;
  };

 public:
  static constexpr std::size_t size = 32;

  template <class... Args>
    requires(!(sizeof...(Args) == 1 && (std::is_same_v<std::remove_cvref_t<Args>, public_key> && ...)))
  explicit public_key(Args&&...) : public_key(made_here{}) {  // NOLINT: exists only to explain why it cannot be used
    static_assert(detail::dependent_false<void(Args...)>,
                  "zguard::public_key: make one with public_key::from_z85() or from_bytes(), which check "
                  "it, or take it from a keypair or a certificate (G4)");
  }

  // Configuration text: a small-order key (a known shared secret, and every
  // handshake with it fails inside libzmq without a word) is refused.
  static public_key from_z85(std::string_view text) {
    public_key k{made_here{}};
    detail::z85_decode_key(text, k.bytes_.data(), "public key");
    if (detail::is_small_order_curve_key(k.bytes_.data()))
      throw key_error("zguard: this public key is a small-order Curve25519 point, not a real key");
    return k;
  }
  static public_key from_bytes(std::span<const std::uint8_t, 32> bytes) {
    public_key k{made_here{}};
    std::copy(bytes.begin(), bytes.end(), k.bytes_.begin());
    return k;
  }
  std::string z85() const {
    char out[41];
    zmq_z85_encode(out, bytes_.data(), size);
    return out;
  }
  const std::uint8_t* data() const { return bytes_.data(); }
  bool operator==(public_key const&) const = default;

 private:
  explicit public_key(made_here) {}
  std::array<std::uint8_t, 32> bytes_{};
};

struct public_key_hash {
  std::size_t operator()(public_key const& k) const noexcept {
    std::size_t h;
    std::memcpy(&h, k.data(), sizeof h);  // keys are uniformly random
    return h;
  }
};

class secret_key {
 public:
  static constexpr std::size_t size = 32;

  static secret_key from_z85(std::string_view text) {
    secret_key k;
    detail::z85_decode_key(text, k.bytes_.writable(), "secret key");
    k.bytes_.seal();
    return k;
  }
  secret_key(secret_key&&) noexcept = default;
  secret_key& operator=(secret_key&&) noexcept = default;

  const std::uint8_t* data() const {
    if (bytes_.empty()) throw key_error("zguard: use of a moved-from secret_key");
    return bytes_.data();
  }
  // Writes the Z85 text (and a NUL) for certificate files; the caller wipes
  // it with sodium_memzero.
  void write_z85(char (&out)[41]) const { zmq_z85_encode(out, data(), size); }

 private:
  friend class keypair;
  secret_key() : bytes_(size) {}
  detail::guarded_bytes bytes_;
};

class keypair {
 public:
  // A fresh Curve25519 keypair, as zmq_curve_keypair makes, with the secret
  // written straight into guarded memory.
  static keypair generate() {
    check_runtime();
    secret_key secret;
    std::array<std::uint8_t, 32> pub{};
    crypto_box_keypair(pub.data(), secret.bytes_.writable());
    secret.bytes_.seal();
    return keypair(public_key::from_bytes(pub), std::move(secret));
  }
  // Checks that the secret derives the public key.
  keypair(public_key pub, secret_key secret) : public_(pub), secret_(std::move(secret)) {
    check_runtime();
    std::array<std::uint8_t, 32> derived{};
    if (crypto_scalarmult_base(derived.data(), secret_.data()) != 0 ||
        sodium_memcmp(derived.data(), public_.data(), 32) != 0)
      throw key_error("zguard: secret key does not match public key");
  }
  keypair(keypair&&) noexcept = default;
  keypair& operator=(keypair&&) noexcept = default;

  public_key const& public_part() const { return public_; }
  secret_key const& secret_part() const { return secret_; }

 private:
  public_key public_;
  secret_key secret_;
};

}  // namespace v0
}  // namespace zguard

template <>
struct std::hash<zguard::public_key> : zguard::public_key_hash {};

#if !defined(ZGUARD_SEPARATE_COMPILATION)
#include <zguard/impl/keys.ipp>
#endif
