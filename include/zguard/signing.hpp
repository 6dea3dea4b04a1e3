// zguard/signing.hpp - end-to-end message signing: algorithms, keys, key
// sets and the signing policy (G7, G12).
//
// Two algorithms, chosen by type:
//   ed25519      one publisher signs (crypto_sign_detached, over a
//                BLAKE2b-512 digest: envelope.hpp), many subscribers
//                verify with its public key only
//   blake2b_mac  keyed BLAKE2b-256 (crypto_generichash, 32-byte key): a group
//                sharing one secret; every holder can sign and verify
//
// signing<Alg, freshness_ms<N>, replay_window<W>> is an optional socket
// policy (slot::signing); N is 1..600000 ms, W a multiple of 64 in
// 64..65536 (docs/bounds.md), each option at most once. A signed socket that sends needs a signing_key<Alg>,
// one that receives a verify_keys<Alg>; without them it does not compile. The
// envelope that carries the signature is in envelope.hpp and
// docs/wire-format.md.
#pragma once

#include <zguard/detail/compiled.hpp>
#include <zguard/detail/closed.hpp>

#include <sodium.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>

#include <zguard/certificate.hpp>
#include <zguard/detail/guarded_bytes.hpp>
#include <zguard/detail/zpl.hpp>
#include <zguard/keys.hpp>
#include <zguard/slots.hpp>

namespace zguard {
inline namespace v0 {

// --- algorithms ---------------------------------------------------------------

struct ed25519 {
  // 3, not 1: byte 1 named Ed25519 over the whole message, which envelopes
  // no longer use; it is refused as malformed (docs/wire-format.md).
  static constexpr std::uint8_t wire_id = 3;
  static constexpr std::size_t signature_size = crypto_sign_BYTES;  // 64
  static constexpr std::string_view name = "ed25519";
};
struct blake2b_mac {
  static constexpr std::uint8_t wire_id = 2;
  static constexpr std::size_t signature_size = 32;  // BLAKE2b-256
  static constexpr std::string_view name = "blake2b-256";
};

template <class A>
concept SigningAlgorithm = std::is_same_v<A, ed25519> || std::is_same_v<A, blake2b_mac>;

// 8 bytes naming a key on the wire (docs/wire-format.md, "Key ids"): derived
// from the key, so it cannot be misconfigured, and for MAC keys derived with
// the key as BLAKE2b key, so it reveals nothing about the secret.
struct key_id {
  std::array<std::uint8_t, 8> bytes{};
  friend auto operator<=>(key_id const&, key_id const&) = default;
  std::string hex() const {
    char out[17];
    sodium_bin2hex(out, sizeof out, bytes.data(), bytes.size());
    return out;
  }
};

namespace detail {
inline constexpr std::string_view ed25519_key_id_tag = "zguard.keyid.ed25519";
inline constexpr std::string_view mac_key_id_tag = "zguard.keyid.blake2b";

ZGUARD_DECL key_id derive_key_id(std::string_view tag, std::uint8_t const* key, std::size_t key_size, bool keyed);
}  // namespace detail

// --- keys ------------------------------------------------------------------------

// An Ed25519 public key: what subscribers hold.
class verify_key {
 public:
  static constexpr std::size_t size = crypto_sign_PUBLICKEYBYTES;  // 32
  static verify_key from_bytes(std::span<std::uint8_t const, size> bytes) {
    verify_key k;
    std::copy(bytes.begin(), bytes.end(), k.bytes_.begin());
    return k;
  }
  static verify_key from_z85(std::string_view text) {
    verify_key k;
    detail::z85_decode_key(text, k.bytes_.data(), "Ed25519 verify key");
    return k;
  }
  std::string z85() const {
    char out[41];
    zmq_z85_encode(out, bytes_.data(), size);
    return out;
  }
  std::uint8_t const* data() const { return bytes_.data(); }
  key_id id() const { return detail::derive_key_id(detail::ed25519_key_id_tag, bytes_.data(), size, false); }
  friend bool operator==(verify_key const&, verify_key const&) = default;

 private:
  verify_key() = default;
  std::array<std::uint8_t, size> bytes_{};
};

template <SigningAlgorithm A>
class signing_key;

// An Ed25519 signing key: the 32-byte seed and the expanded secret in guarded
// memory. Copies share the one guarded region.
template <>
class signing_key<ed25519> {
 public:
  static signing_key generate() {
    std::array<std::uint8_t, crypto_sign_SEEDBYTES> seed{};
    randombytes_buf(seed.data(), seed.size());
    auto k = from_seed(seed);
    sodium_memzero(seed.data(), seed.size());
    return k;
  }
  static signing_key from_seed(std::span<std::uint8_t const, crypto_sign_SEEDBYTES> seed) {
    auto secret = std::make_shared<detail::guarded_bytes>(crypto_sign_SECRETKEYBYTES);
    std::array<std::uint8_t, verify_key::size> pub{};
    crypto_sign_seed_keypair(pub.data(), secret->writable(), seed.data());
    secret->seal();
    return signing_key(std::move(secret), verify_key::from_bytes(pub));
  }
  verify_key const& verify_part() const { return public_; }
  key_id id() const { return public_.id(); }
  // The 32-byte seed (libsodium keeps it as the first half of the secret).
  std::span<std::uint8_t const, crypto_sign_SEEDBYTES> seed() const {
    return std::span<std::uint8_t const, crypto_sign_SEEDBYTES>(secret_->data(), crypto_sign_SEEDBYTES);
  }
  void sign(std::span<std::uint8_t const> message, std::uint8_t* signature) const {
    crypto_sign_detached(signature, nullptr, message.data(), message.size(), secret_->data());
  }

 private:
  signing_key(std::shared_ptr<detail::guarded_bytes> s, verify_key p) : secret_(std::move(s)), public_(p) {}
  std::shared_ptr<detail::guarded_bytes const> secret_;
  verify_key public_;
};

// A BLAKE2b-256 MAC key shared by a group: signs and verifies.
template <>
class signing_key<blake2b_mac> {
 public:
  static constexpr std::size_t size = 32;
  static signing_key generate() {
    auto secret = std::make_shared<detail::guarded_bytes>(size);
    randombytes_buf(secret->writable(), size);
    secret->seal();
    return signing_key(std::move(secret));
  }
  static signing_key from_bytes(std::span<std::uint8_t const, size> bytes) {
    auto secret = std::make_shared<detail::guarded_bytes>(size);
    std::copy(bytes.begin(), bytes.end(), secret->writable());
    secret->seal();
    return signing_key(std::move(secret));
  }
  key_id id() const { return id_; }
  std::uint8_t const* data() const { return secret_->data(); }

 private:
  explicit signing_key(std::shared_ptr<detail::guarded_bytes> s)
      : secret_(std::move(s)), id_(detail::derive_key_id(detail::mac_key_id_tag, secret_->data(), size, true)) {}
  std::shared_ptr<detail::guarded_bytes const> secret_;
  key_id id_;
};

// The keys a receiving socket accepts, by key id. Shared by copies (a socket
// keeps a copy), so keys added or retired later apply to running sockets.
// Rotation: add the new key, retire the old one at the end of the overlap
// window; both verify until then.
template <SigningAlgorithm A>
class verify_keys {
 public:
  using key_type = std::conditional_t<std::is_same_v<A, ed25519>, verify_key, signing_key<blake2b_mac>>;
  using clock = std::chrono::system_clock;

  verify_keys() : impl_(std::make_shared<impl>()) {}
  verify_keys& add(key_type const& key) {
    std::lock_guard lock(impl_->mutex);
    impl_->keys.insert_or_assign(key.id(), entry{key, std::nullopt});
    return *this;
  }
  // The key verifies until `at`, then is refused as unknown (key retired).
  verify_keys& retire(key_id id, clock::time_point at) {
    std::lock_guard lock(impl_->mutex);
    if (auto it = impl_->keys.find(id); it != impl_->keys.end()) it->second.retire_at = at;
    return *this;
  }
  verify_keys& remove(key_id id) {
    std::lock_guard lock(impl_->mutex);
    impl_->keys.erase(id);
    return *this;
  }
  std::size_t size() const {
    std::lock_guard lock(impl_->mutex);
    return impl_->keys.size();
  }
  // The key with this id that is valid at `now`, if any.
  std::optional<key_type> find(key_id id, clock::time_point now = clock::now()) const {
    std::lock_guard lock(impl_->mutex);
    auto it = impl_->keys.find(id);
    if (it == impl_->keys.end() || (it->second.retire_at && now >= *it->second.retire_at)) return std::nullopt;
    return it->second.key;
  }

 private:
  struct entry {
    key_type key;
    std::optional<clock::time_point> retire_at;
  };
  struct impl {
    mutable std::mutex mutex;
    std::map<key_id, entry> keys;
  };
  std::shared_ptr<impl> impl_;
};

// --- the policy ------------------------------------------------------------------

namespace detail {
struct freshness_option {};
struct window_option {};
}  // namespace detail

// How far a message's timestamp may lie from the receiver's clock, either way:
// 1..600'000 ms (10 min; a longer window lets a replay of a forgotten
// publisher run through for longer).
template <std::uint32_t Ms>
struct freshness_ms {
  static_assert(Ms > 0 && Ms <= 600'000, "zguard::freshness_ms<N>: N must be in 1..600000 ms");
  using option_tag = detail::freshness_option;
  static constexpr std::uint32_t value = Ms;
};
// How many sequence numbers behind the newest one may still arrive (late or
// reordered) per publisher epoch; anything older, or seen, is a replay.
template <std::uint32_t N>
struct replay_window {
  static_assert(N >= 64 && N <= 65536 && N % 64 == 0, "zguard::replay_window<N>: N must be a multiple of 64 in 64..65536");
  using option_tag = detail::window_option;
  static constexpr std::uint32_t value = N;
};

namespace detail {
// Which option a type is: only freshness_ms<N> and replay_window<N>, by exact
// type (a derived or hand-written option is none).
// Closed (detail/closed.hpp): no specialization can add one.
struct signing_options {
  static void of(...);
  template <std::uint32_t Ms>
  static freshness_option of(freshness_ms<Ms>**);
  template <std::uint32_t N>
  static window_option of(replay_window<N>**);
};
template <class O>
using signing_option_of = decltype(signing_options::of(static_cast<O**>(nullptr)));
template <class Tag, std::uint32_t Default, class... Options>
constexpr std::uint32_t option_or() {
  std::uint32_t v = Default;
  ((v = std::is_same_v<signing_option_of<Options>, Tag> ? Options::value : v), ...);
  return v;
}
template <class Tag, class... Options>
inline constexpr int count_option = (0 + ... + int(std::is_same_v<signing_option_of<Options>, Tag>));
template <class O>
concept SigningOption = !std::is_void_v<signing_option_of<O>>;
}  // namespace detail

template <SigningAlgorithm A, class... Options>
struct signing {
  static_assert((detail::SigningOption<Options> && ...),
                "zguard::signing<Alg, ...>: every option must be zguard::freshness_ms<N> or "
                "zguard::replay_window<N>; derived or hand-written options are refused");
  static_assert(detail::count_option<detail::freshness_option, Options...> <= 1,
                "zguard::signing<Alg, ...>: freshness_ms given twice (a repeated option is an error, not last-wins)");
  static_assert(detail::count_option<detail::window_option, Options...> <= 1,
                "zguard::signing<Alg, ...>: replay_window given twice (a repeated option is an error, not last-wins)");
  using zguard_slot = slot::signing;
  using algorithm = A;
  static constexpr std::uint32_t freshness = detail::option_or<detail::freshness_option, 30000, Options...>();
  static constexpr std::uint32_t window = detail::option_or<detail::window_option, 1024, Options...>();
};

namespace detail {
// Exactly signing<...>: a derived or hand-written signing policy is refused.
struct signing_policies {
  static consteval bool of(...) { return false; }
  template <class A, class... Options>
  static consteval bool of(signing<A, Options...>**) { return true; }
};
template <class S>
concept is_signing_policy = closed_member<signing_policies, S>;
}  // namespace detail

// SigningPolicy: a zguard::signing<...>, exactly.
template <class S>
concept SigningPolicy = detail::is_signing_policy<S>;

// --- key files ------------------------------------------------------------------
//
// ZPL (ZeroMQ RFC 4) like CZMQ certificates, section "sign". An Ed25519 key is
// NAME (public: algorithm, public-key) and NAME_secret (0600: also
// secret-key, the Z85 of the 32-byte seed). A MAC key is NAME_secret only.

namespace detail {
ZGUARD_DECL std::string signing_key_text(std::string_view algorithm, std::string const* public_z85, bool secret);
ZGUARD_DECL void write_secret_text(std::filesystem::path const& path, std::string text, std::span<std::uint8_t const, 32> secret);
ZGUARD_DECL std::map<std::string, std::string> read_signing_file(std::filesystem::path const& path, certificate_role role,
                                                                 std::string_view algorithm);
}  // namespace detail

ZGUARD_DECL void save_signing_key(std::filesystem::path const& path, signing_key<ed25519> const& key);
ZGUARD_DECL void save_signing_key(std::filesystem::path const& path, signing_key<blake2b_mac> const& key);

// Reads NAME_secret (given NAME or NAME_secret). An Ed25519 key must derive
// the public key written next to it.
template <SigningAlgorithm A>
signing_key<A> load_signing_key(std::filesystem::path const& path) {
  auto const secret_path = detail::secret_path_of(path);
  auto fields = detail::read_signing_file(secret_path, detail::certificate_role::secret, A::name);
  try {
    if (!fields.count("sign/secret-key"))
      throw key_error("zguard: " + secret_path.string() + " has no sign/secret-key");
    detail::guarded_bytes raw(32);
    detail::z85_decode_key(fields.at("sign/secret-key"), raw.writable(), "signing key");
    auto key = [&] {
      if constexpr (std::is_same_v<A, ed25519>) {
        auto k = signing_key<ed25519>::from_seed(std::span<std::uint8_t const, 32>(raw.data(), 32));
        if (!fields.count("sign/public-key") || verify_key::from_z85(fields.at("sign/public-key")) != k.verify_part())
          throw key_error("zguard: " + secret_path.string() + ": the secret key does not match its public key");
        return k;
      } else {
        return signing_key<blake2b_mac>::from_bytes(std::span<std::uint8_t const, 32>(raw.data(), 32));
      }
    }();
    detail::wipe(fields);
    return key;
  } catch (...) {
    detail::wipe(fields);
    throw;
  }
}

namespace detail {
ZGUARD_DECL verify_key read_verify_key(std::filesystem::path const& path, certificate_role role);
// A verify key that decides whose signatures count (a pipeline's key
// directory): the checks of certificate_role::allowlisted.
ZGUARD_DECL verify_key load_trusted_verify_key(std::filesystem::path const& path);
}  // namespace detail

// Reads an Ed25519 public key file (what subscribers are given).
ZGUARD_DECL verify_key load_verify_key(std::filesystem::path const& path);

}  // namespace v0
}  // namespace zguard

template <>
struct std::hash<zguard::key_id> {
  std::size_t operator()(zguard::key_id const& k) const noexcept {
    std::size_t h = 0;
    for (auto b : k.bytes) h = h * 131 + b;
    return h;
  }
};

#if !defined(ZGUARD_SEPARATE_COMPILATION)
#include <zguard/impl/signing.ipp>
#endif
