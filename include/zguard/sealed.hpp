// zguard/sealed.hpp - sealed payloads (G19): what a broker, forwarder,
// relay or capture routes but must not read.
//
// CURVE protects each hop; every device between two ends (a queue, its
// capture, a vouching broker) sees the payload in clear. sealed<...> on a
// service<Req, Rep> channel encrypts each request end to end to the
// service's sealing key (X25519 with a fresh ephemeral key per request,
// XChaCha20-Poly1305-IETF), and each answer to that request's own key, so a
// device sees routing data only. A sealed client is pinned to the service's
// sealing_public_key, a sealed service holds its sealing_key; neither
// compiles without it. The wire format is in docs/wire-format.md ("Sealed
// payloads"), the crypto in detail/seal_box.hpp.
#pragma once

#include <sodium.h>
#include <zmq.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <initializer_list>
#include <type_traits>
#include <vector>

#include <zguard/certificate.hpp>
#include <zguard/detail/closed.hpp>
#include <zguard/detail/compiled.hpp>
#include <zguard/detail/guarded_bytes.hpp>
#include <zguard/keys.hpp>
#include <zguard/signing.hpp>
#include <zguard/slots.hpp>

namespace zguard {
inline namespace v0 {

namespace detail {
inline constexpr std::string_view sealing_key_id_tag = "zguard.keyid.x25519";
struct sealing_access;
}  // namespace detail

// A service's sealing public key (X25519): what its clients are pinned to.
// A key of its own type, never a CURVE transport key: one key, one use.
class sealing_public_key {
 public:
  static constexpr std::size_t size = crypto_scalarmult_BYTES;  // 32
  static sealing_public_key from_bytes(std::span<std::uint8_t const, size> bytes) {
    sealing_public_key k;
    std::copy(bytes.begin(), bytes.end(), k.bytes_.begin());
    return k.checked();
  }
  static sealing_public_key from_z85(std::string_view text) {
    sealing_public_key k;
    detail::z85_decode_key(text, k.bytes_.data(), "sealing public key");
    return k.checked();
  }
  std::string z85() const {
    char out[41];
    zmq_z85_encode(out, bytes_.data(), size);
    return out;
  }
  std::uint8_t const* data() const { return bytes_.data(); }
  // 8 bytes naming the key on the wire: a sealed request says which key it
  // is sealed to, and a service refuses one sealed to another as
  // unknown_key before any other work.
  key_id id() const { return detail::derive_key_id(detail::sealing_key_id_tag, bytes_.data(), size, false); }
  friend bool operator==(sealing_public_key const&, sealing_public_key const&) = default;
  // Copied, never made from raw bytes (std::bit_cast, memcpy): only the
  // checked constructors above make one.
  sealing_public_key(sealing_public_key const& other) : bytes_(other.bytes_) {}
  sealing_public_key& operator=(sealing_public_key const& other) {
    bytes_ = other.bytes_;
    return *this;
  }

 private:
  sealing_public_key() = default;
  // A small-order point gives a known shared secret: anything sealed to it
  // could be read by anyone. Refused where the key is made.
  // A non-canonical encoding (bit 255 set, or u >= 2^255 - 19) is the same
  // X25519 key as a canonical one under other bytes and another key id:
  // one holder could be two members, and removing one would leave the
  // other. Refused too.
  sealing_public_key const& checked() const {
    if (detail::is_small_order_curve_key(bytes_.data()))
      throw key_error("zguard: this sealing public key is a small-order Curve25519 point, not a real key");
    if (!canonical(bytes_))
      throw key_error("zguard: this sealing public key is not canonically encoded (bit 255 set, or u >= 2^255 - 19)");
    return *this;
  }
  static bool canonical(std::array<std::uint8_t, size> const& b) {
    if (b[31] & 0x80) return false;
    if (b[31] != 0x7f || b[0] < 0xed) return true;
    for (std::size_t i = 1; i < 31; ++i)
      if (b[i] != 0xff) return true;
    return false;  // 2^255 - 19 .. 2^255 - 1
  }
  std::array<std::uint8_t, size> bytes_{};
};

// A service's sealing key: the X25519 secret in guarded memory (read-only
// once made, wiped when freed) and its public part. Copies share the one
// guarded region.
class sealing_key {
 public:
  static constexpr std::size_t size = crypto_scalarmult_SCALARBYTES;  // 32
  static sealing_key generate() {
    auto secret = std::make_shared<detail::guarded_bytes>(size);
    randombytes_buf(secret->writable(), size);
    return sealing_key(std::move(secret));
  }
  static sealing_key from_bytes(std::span<std::uint8_t const, size> secret_bytes) {
    auto secret = std::make_shared<detail::guarded_bytes>(size);
    std::copy(secret_bytes.begin(), secret_bytes.end(), secret->writable());
    return sealing_key(std::move(secret));
  }
  static sealing_key from_z85(std::string_view secret_text) {
    auto secret = std::make_shared<detail::guarded_bytes>(size);
    detail::z85_decode_key(secret_text, secret->writable(), "sealing secret key");
    return sealing_key(std::move(secret));
  }
  sealing_public_key const& public_part() const { return public_; }
  key_id id() const { return public_.id(); }
  // Copies share the secret; there is no move, so a key given away with
  // std::move still holds it (a moved-from key would be empty, and a
  // service made from it could not open anything).
  sealing_key(sealing_key const&) = default;
  sealing_key& operator=(sealing_key const&) = default;

 private:
  friend struct detail::sealing_access;
  explicit sealing_key(std::shared_ptr<detail::guarded_bytes> s)
      : public_(public_of(s->data())) {
    s->seal();
    secret_ = std::move(s);
  }
  static sealing_public_key public_of(std::uint8_t const* secret) {
    std::array<std::uint8_t, sealing_public_key::size> pub{};
    crypto_scalarmult_base(pub.data(), secret);
    auto k = sealing_public_key::from_bytes(pub);
    sodium_memzero(pub.data(), pub.size());
    return k;
  }
  std::shared_ptr<detail::guarded_bytes const> secret_;
  sealing_public_key public_;
};

namespace detail {
// The secret's bytes, for the opener alone (detail/seal_box.hpp).
struct sealing_access {
  static std::uint8_t const* secret(sealing_key const& k) { return k.secret_->data(); }
};
}  // namespace detail

// --- key files ------------------------------------------------------------------------
//
// ZPL (ZeroMQ RFC 4) like CZMQ certificates, section "seal": NAME holds the
// public key (for clients), NAME_secret (0600, checked as a secret
// certificate is) the public and the secret key (for the service).

ZGUARD_DECL void save_sealing_key(std::filesystem::path const& path, sealing_key const& key);
// Reads NAME_secret (given NAME or NAME_secret); its secret must give the
// public key written next to it.
ZGUARD_DECL sealing_key load_sealing_key(std::filesystem::path const& path);
// Reads NAME: the public key a client is pinned to.
ZGUARD_DECL sealing_public_key load_sealing_public_key(std::filesystem::path const& path);

namespace detail {
// A sealing public key that decides who can read what is sealed (a
// pipeline's key directory): the checks of certificate_role::allowlisted.
ZGUARD_DECL sealing_public_key load_trusted_sealing_public_key(std::filesystem::path const& path);
}  // namespace detail

// --- the policy --------------------------------------------------------------------

namespace detail {
struct rotate_option {};
struct announce_option {};
struct pad_option {};
struct members_option {};
}  // namespace detail

// A sealed feed's options (topic channels; sealed.hpp's feed half):
// how old an epoch key may grow before the publisher draws a new one,
// how often it repeats the current epoch's key announcement (what a late
// subscriber waits for at most), the bucket each message's plaintext is
// padded to (its size is then seen only to the bucket), and how many
// members the publisher seals each epoch key to (what bounds the size of
// an announcement).
template <std::uint32_t Ms>
struct rotate_ms {
  static_assert(Ms >= 1000 && Ms <= 86'400'000, "zguard::rotate_ms<N>: N must be in 1000..86400000 ms (one day)");
  using option_tag = detail::rotate_option;
  static constexpr std::uint32_t value = Ms;
};
template <std::uint32_t Ms>
struct announce_ms {
  static_assert(Ms >= 10 && Ms <= 600'000, "zguard::announce_ms<N>: N must be in 10..600000 ms");
  using option_tag = detail::announce_option;
  static constexpr std::uint32_t value = Ms;
};
template <std::uint32_t Bytes>
struct pad_to {
  static_assert(Bytes >= 1 && Bytes <= 65535, "zguard::pad_to<N>: N must be in 1..65535 bytes");
  using option_tag = detail::pad_option;
  static constexpr std::uint32_t value = Bytes;
};
template <std::uint32_t N>
struct max_members {
  static_assert(N >= 1 && N <= 4096, "zguard::max_members<N>: N must be in 1..4096");
  using option_tag = detail::members_option;
  static constexpr std::uint32_t value = N;
};

namespace detail {
// The options sealed<...> takes, exactly (closed: a derived option is none of them).
struct sealing_options {
  static void of(...);
  template <std::uint32_t Ms>
  static freshness_option of(freshness_ms<Ms>**);
  template <std::uint32_t N>
  static window_option of(replay_window<N>**);
  template <std::uint32_t Ms>
  static rotate_option of(rotate_ms<Ms>**);
  template <std::uint32_t Ms>
  static announce_option of(announce_ms<Ms>**);
  template <std::uint32_t B>
  static pad_option of(pad_to<B>**);
  template <std::uint32_t N>
  static members_option of(max_members<N>**);
};
template <class O>
using sealing_option_of = decltype(sealing_options::of(static_cast<O**>(nullptr)));
template <class O>
concept SealingOption = !std::is_void_v<sealing_option_of<O>>;
template <class Tag, class... Options>
inline constexpr int count_sealing_option = (0 + ... + int(std::is_same_v<sealing_option_of<Options>, Tag>));
template <class Tag, std::uint32_t Default, class... Options>
constexpr std::uint32_t sealing_option_or() {
  std::uint32_t v = Default;
  ((v = std::is_same_v<sealing_option_of<Options>, Tag> ? Options::value : v), ...);
  return v;
}
}  // namespace detail

// sealed<...> (slot::sealing): the channel's payloads are sealed end to end.
//
// On a service<Req, Rep> channel, with freshness_ms<N> and replay_window<W>:
// each request is sealed to the service's sealing key, each answer to that
// request's own key. A service refuses a request whose timestamp lies more
// than N ms (default 30000) from its clock, and one its replay window (W
// sequences behind a client run's newest, default 1024) has seen.
//
// On a topic<"name", S> channel (signed with ed25519), with rotate_ms<N>,
// announce_ms<N>, pad_to<B> and max_members<M>: the publisher seals each
// message under its current epoch key, which it seals to each member's
// sealing_public_key in a signed key announcement on the feed; a new epoch
// when a member is added or removed and when the key is N ms old (default
// 600000), the announcement repeated every N ms (default 1000), each
// plaintext padded to a multiple of B bytes (default 1: no bucket), at
// most M members (default 64). Every option at most once.
template <class... Options>
struct sealed {
  static_assert((detail::SealingOption<Options> && ...),
                "zguard::sealed<...>: every option must be zguard::freshness_ms<N>, replay_window<N> (service "
                "channels), rotate_ms<N>, announce_ms<N>, pad_to<N> or max_members<N> (topic channels); derived "
                "or hand-written options are refused");
  static_assert(detail::count_sealing_option<detail::freshness_option, Options...> <= 1,
                "zguard::sealed<...>: freshness_ms given twice (a repeated option is an error, not last-wins)");
  static_assert(detail::count_sealing_option<detail::window_option, Options...> <= 1,
                "zguard::sealed<...>: replay_window given twice (a repeated option is an error, not last-wins)");
  static_assert(detail::count_sealing_option<detail::rotate_option, Options...> <= 1 &&
                    detail::count_sealing_option<detail::announce_option, Options...> <= 1 &&
                    detail::count_sealing_option<detail::pad_option, Options...> <= 1 &&
                    detail::count_sealing_option<detail::members_option, Options...> <= 1,
                "zguard::sealed<...>: an option given twice (a repeated option is an error, not last-wins)");
  using zguard_slot = slot::sealing;
  static constexpr std::uint32_t freshness = detail::sealing_option_or<detail::freshness_option, 30000, Options...>();
  static constexpr std::uint32_t window = detail::sealing_option_or<detail::window_option, 1024, Options...>();
  static constexpr std::uint32_t rotate = detail::sealing_option_or<detail::rotate_option, 600000, Options...>();
  static constexpr std::uint32_t announce = detail::sealing_option_or<detail::announce_option, 1000, Options...>();
  static constexpr std::uint32_t pad = detail::sealing_option_or<detail::pad_option, 1, Options...>();
  static constexpr std::uint32_t members = detail::sealing_option_or<detail::members_option, 64, Options...>();
  // Which channel kind the options given are for (a service's, a feed's; neither when none is given).
  static constexpr bool service_options =
      (detail::count_sealing_option<detail::freshness_option, Options...> +
       detail::count_sealing_option<detail::window_option, Options...>) > 0;
  static constexpr bool feed_options =
      (detail::count_sealing_option<detail::rotate_option, Options...> +
       detail::count_sealing_option<detail::announce_option, Options...> +
       detail::count_sealing_option<detail::pad_option, Options...> +
       detail::count_sealing_option<detail::members_option, Options...>) > 0;
};

// The members of a sealed feed: the sealing public keys its publisher seals
// each epoch key to (a subscriber holds the sealing_key of one of them).
// Given to a sealed PUB or XPUB; changed on the socket while it runs
// (add_member, remove_member), each change a new epoch.
class sealing_members {
 public:
  sealing_members() = default;
  sealing_members(std::initializer_list<sealing_public_key> keys) {
    for (auto const& k : keys) add(k);
  }
  // False when the key is a member already.
  bool add(sealing_public_key const& key) {
    if (contains(key)) return false;
    keys_.push_back(key);
    return true;
  }
  bool remove(sealing_public_key const& key) {
    auto it = std::find(keys_.begin(), keys_.end(), key);
    if (it == keys_.end()) return false;
    keys_.erase(it);
    return true;
  }
  bool contains(sealing_public_key const& key) const {
    return std::find(keys_.begin(), keys_.end(), key) != keys_.end();
  }
  std::size_t size() const { return keys_.size(); }
  bool empty() const { return keys_.empty(); }
  auto begin() const { return keys_.begin(); }
  auto end() const { return keys_.end(); }

 private:
  std::vector<sealing_public_key> keys_;
};

namespace detail {
// Exactly sealed<...>: a derived or hand-written policy is refused.
struct sealing_policies {
  static consteval bool of(...) { return false; }
  template <class... Options>
  static consteval bool of(sealed<Options...>**) { return true; }
};
template <class S>
concept is_sealing_policy = closed_member<sealing_policies, S>;
}  // namespace detail

// SealingPolicy: a zguard::sealed<...>, exactly.
template <class S>
concept SealingPolicy = detail::is_sealing_policy<S>;

}  // namespace v0
}  // namespace zguard

#if !defined(ZGUARD_SEPARATE_COMPILATION)
#include <zguard/impl/sealed.ipp>
#endif
