// zguard/detail/seal_box.hpp - the crypto of sealed payloads (G19): a
// request sealed to a service's X25519 key with a fresh ephemeral key, and
// its answer sealed to that request's own key. XChaCha20-Poly1305-IETF
// (libsodium's crypto_aead_xchacha20poly1305_ietf), keys from X25519 and
// BLAKE2b-256; every header byte is associated data. Layouts:
// docs/wire-format.md, "Sealed payloads".
//
// Nonces never repeat under one key, by construction: a request key is
// derived from a fresh ephemeral key and seals that one request; an answer
// key seals the one answer to it (request tickets), and every nonce is 24
// random bytes besides, so even a second answer to a replay that got
// through would not repeat one.
#pragma once

#include <zguard/detail/compiled.hpp>

#include <sodium.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string_view>

#include <zguard/detail/bytes.hpp>
#include <zguard/detail/replay_window.hpp>
#include <zguard/sealed.hpp>

namespace zguard {
inline namespace v0 {
namespace detail {

inline constexpr std::uint8_t sealed_request_kind = 0x53;  // 'S'
inline constexpr std::uint8_t sealed_answer_kind = 0x54;   // 'T'
inline constexpr std::uint8_t sealed_format = 0x01;
inline constexpr std::size_t seal_nonce_size = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;  // 24
inline constexpr std::size_t seal_tag_size = crypto_aead_xchacha20poly1305_ietf_ABYTES;       // 16
inline constexpr std::size_t seal_key_size = crypto_aead_xchacha20poly1305_ietf_KEYBYTES;     // 32
inline constexpr std::size_t seal_run_size = 16;         // a run's name on the wire
inline constexpr std::size_t seal_run_secret_size = 32;  // sealed in front of every request of the run
// kind, format, recipient key id, ephemeral public key, run, sequence, sent-at ms, nonce
inline constexpr std::size_t sealed_request_header = 1 + 1 + 8 + 32 + seal_run_size + 8 + 8 + seal_nonce_size;  // 98
// kind, format, the request's ephemeral public key, nonce
inline constexpr std::size_t sealed_answer_header = 1 + 1 + 32 + seal_nonce_size;  // 58
// The header, the run's secret (sealed, before the payload) and the tag.
inline constexpr std::size_t sealed_request_overhead = sealed_request_header + seal_run_secret_size + seal_tag_size;
inline constexpr std::size_t sealed_answer_overhead = sealed_answer_header + seal_tag_size;
// The BLAKE2b keys (labels) that derive a request's two keys from one X25519 result.
inline constexpr std::string_view seal_request_label = "zguard.sealed.request.v1";
inline constexpr std::string_view seal_answer_label = "zguard.sealed.answer.v1";
inline constexpr std::string_view seal_run_label = "zguard.sealed.run.v1";

// A client socket's run: a secret of 32 random bytes, drawn when the socket
// is made, sealed inside each of its requests, and its name on the wire,
// BLAKE2b-128 keyed with seal_run_label over the secret. The service takes
// a request into a run's replay window only when the secret inside names
// that run: a third party who read the name cannot send in it (and so
// cannot push a client's window past its requests).
using seal_run = std::array<std::uint8_t, seal_run_size>;
using seal_run_secret = std::array<std::uint8_t, seal_run_secret_size>;
ZGUARD_DECL seal_run seal_run_name(seal_run_secret const& secret);

// Why a sealed frame was not opened (the event is seal.<reason>).
enum class seal_drop {
  not_sealed,       // the payload is not a sealed frame of the kind expected
  malformed,        // shorter than its header and tag, or another format
  unknown_key,      // sealed to a key this service does not hold
  weak_key,         // an ephemeral key that gives no shared secret (a low-order point)
  stale,            // sent-at more than freshness_ms from our clock
  forged,           // the AEAD tag does not verify: altered, or sealed to another key
  replayed,         // its run and sequence were seen (or lie behind the window)
  unknown_request,  // an answer to no request this socket is waiting for
  unknown_epoch,    // a sealed feed's message under an epoch key this subscriber does not hold
  not_a_member,     // a sealed feed's key announcement that seals its epoch key to others only
  stale_epoch,      // a sealed feed's key announcement of an epoch older than the two held
};
inline std::string_view to_string(seal_drop d) {
  switch (d) {
    case seal_drop::not_sealed: return "not_sealed";
    case seal_drop::malformed: return "malformed";
    case seal_drop::unknown_key: return "unknown_key";
    case seal_drop::weak_key: return "weak_key";
    case seal_drop::stale: return "stale";
    case seal_drop::forged: return "forged";
    case seal_drop::replayed: return "replayed";
    case seal_drop::unknown_request: return "unknown_request";
    case seal_drop::unknown_epoch: return "unknown_epoch";
    case seal_drop::not_a_member: return "not_a_member";
    case seal_drop::stale_epoch: return "stale_epoch";
  }
  return "unknown";
}

// The key one answer is sealed with, and the request it answers (that
// request's ephemeral public key, its name on the wire). Wiped when gone.
struct answer_key {
  std::array<std::uint8_t, 32> request{};
  std::array<std::uint8_t, seal_key_size> key{};
  bool armed = false;
  answer_key() = default;
  answer_key(answer_key const&) = default;
  answer_key& operator=(answer_key const&) = default;
  ~answer_key() { sodium_memzero(key.data(), key.size()); }
};

// The request and answer keys of one request: BLAKE2b-256 keyed with each
// label over shared || ephemeral public || service public. False when the
// X25519 result is all zero (a low-order ephemeral or service key).
ZGUARD_DECL bool derive_seal_keys(std::uint8_t const* shared_input_secret, std::uint8_t const* other_public,
                                  std::uint8_t const* ephemeral_public, std::uint8_t const* service_public,
                                  std::uint8_t* request_key, std::uint8_t* answer_key_out);

// One request's keys, derived before it is sealed (they do not depend on
// the payload, so a client derives its next request's while it waits for
// an answer): the request key, and the answer's key with the request's
// ephemeral public key. The ephemeral secret is gone once they are made.
struct request_keys {
  std::array<std::uint8_t, seal_key_size> request{};
  answer_key answer;
  request_keys() = default;
  request_keys(request_keys const&) = default;
  request_keys& operator=(request_keys const&) = default;
  ~request_keys() { sodium_memzero(request.data(), request.size()); }
};
// False (and `keys` empty) when the service key gives no shared secret.
ZGUARD_DECL bool prepare_request_keys(request_keys& keys, sealing_public_key const& to,
                                      std::uint8_t const* ephemeral_secret);

// Where the payload goes in a sealed request (after the header and the run's secret).
inline constexpr std::size_t sealed_request_payload_at = sealed_request_header + seal_run_secret_size;
// Seals the `plain_size` bytes at out + sealed_request_payload_at in place,
// with the run's secret before them, and writes the header before that and
// the tag after (out holds sealed_request_overhead + plain_size bytes). The
// ephemeral secret and the nonce are the caller's (random in a socket,
// fixed in a test vector). False when the service key gives no shared
// secret.
ZGUARD_DECL bool seal_request_with(std::uint8_t* out, std::size_t plain_size, sealing_public_key const& to,
                                   seal_run_secret const& run, std::uint64_t sequence, std::uint64_t sent_at_ms,
                                   std::uint8_t const* ephemeral_secret, std::uint8_t const* nonce,
                                   answer_key& answer);
// The same with keys prepared before (prepare_request_keys).
ZGUARD_DECL void seal_request_prepared(std::uint8_t* out, std::size_t plain_size, key_id const& to,
                                       seal_run_secret const& run, std::uint64_t sequence, std::uint64_t sent_at_ms,
                                       request_keys const& keys, std::uint8_t const* nonce);
// Seals an answer the same way (out holds sealed_answer_overhead + plain_size).
ZGUARD_DECL void seal_answer_with(std::uint8_t* out, std::size_t plain_size, answer_key const& key,
                                  std::uint8_t const* nonce);
// Opens a sealed answer into `plain` (frame.size() - sealed_answer_overhead
// bytes), or says why not. Never in place: a received frame's bytes may be
// shared with another holder (a proxy's capture copy, a fan-out), which
// must not see them change.
ZGUARD_DECL std::optional<seal_drop> open_answer(std::span<std::uint8_t const> frame, answer_key const& key,
                                                 std::uint8_t* plain);
// The ephemeral public key a sealed answer names (nullopt: not one).
ZGUARD_DECL std::optional<std::array<std::uint8_t, 32>> answer_names(std::span<std::uint8_t const> frame);

// The fields of a sealed request's header, as read (before it is opened).
struct sealed_request_fields {
  key_id recipient;
  std::array<std::uint8_t, 32> ephemeral{};
  seal_run run{};
  std::uint64_t sequence = 0;
  std::uint64_t sent_at_ms = 0;
};
ZGUARD_DECL std::optional<seal_drop> read_sealed_request(std::span<std::uint8_t const> frame,
                                                         sealed_request_fields& fields);
// Opens a sealed request with the service's key (after its header was read
// and judged) into `plain` (sealed_opened_size(frame.size()) bytes: the
// run's secret, wiped once checked, then the payload), checks that the
// run's secret names the run of the header (`forged` otherwise), and gives
// the key its answer is sealed with. Not in place, as above.
inline constexpr std::size_t sealed_opened_size(std::size_t frame_size) {
  return frame_size - sealed_request_header - seal_tag_size;
}
ZGUARD_DECL std::optional<seal_drop> open_request(std::span<std::uint8_t const> frame, sealing_key const& key,
                                                  sealed_request_fields const& fields, answer_key& answer,
                                                  std::uint8_t* plain);

inline std::uint64_t seal_clock_ms() {
  using namespace std::chrono;
  return std::uint64_t(duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count());
}

// A client's side: seals each request to the service's key with a fresh
// ephemeral key, numbered in this socket's run.
class request_sealer {
 public:
  explicit request_sealer(sealing_public_key const& to) : to_(to), to_id_(to.id()) {
    randombytes_buf(run_.data(), run_.size());
  }
  ~request_sealer() { sodium_memzero(run_.data(), run_.size()); }
  request_sealer(request_sealer const&) = delete;
  request_sealer& operator=(request_sealer const&) = delete;
  static constexpr std::size_t size(std::size_t plain_size) { return sealed_request_overhead + plain_size; }
  // fill(at) writes the plaintext at `at`; then it is sealed in place.
  // Throws key_error when the service's key gives no shared secret (a
  // small-order point made some other way than sealing_public_key's
  // checked constructors): nothing goes out unsealed.
  template <class Fill>
  void seal(std::uint8_t* out, std::size_t plain_size, Fill&& fill, answer_key& answer) {
    fill(out + sealed_request_payload_at);
    if (!next_.answer.armed && !prepare()) {
      sodium_memzero(out, sealed_request_overhead + plain_size);
      throw key_error("zguard::sealed: the service's sealing public key gives no shared secret (a small-order point)");
    }
    std::array<std::uint8_t, seal_nonce_size> nonce{};
    randombytes_buf(nonce.data(), nonce.size());
    seal_request_prepared(out, plain_size, to_id_, run_, ++sequence_, seal_clock_ms(), next_, nonce.data());
    answer = next_.answer;
    next_ = request_keys{};  // each request's keys seal that request only
  }
  // Derives the next request's keys now (a fresh ephemeral key), so that
  // sealing it costs no X25519: a blocking call does it while its answer
  // is on the way. False when the service's key gives no shared secret.
  bool prepare() {
    if (next_.answer.armed) return true;
    std::array<std::uint8_t, 32> ephemeral{};
    randombytes_buf(ephemeral.data(), ephemeral.size());
    bool const ok = prepare_request_keys(next_, to_, ephemeral.data());
    sodium_memzero(ephemeral.data(), ephemeral.size());
    return ok;
  }

 private:
  sealing_public_key to_;
  key_id to_id_;
  seal_run_secret run_{};
  std::uint64_t sequence_ = 0;
  request_keys next_;  // the next request's, when prepared
};

// A service's side: opens requests sealed to its key, fresh and not seen.
//
// Anyone with the service's public key can start runs of their own, and so
// push a client's run out of the 4096 the window keeps. A forgotten run's
// requests must not open again: the opener keeps the newest time it
// recorded for any forgotten run (a request's sent-at, never later than the
// service's clock then) and refuses a request of a run it does not know
// unless it was sent after that. Honest clients start runs at their "now";
// while a flood of new runs lasts, one whose clock lags the service's by
// more than the age of the oldest run kept is refused too (fail closed).
template <std::uint32_t FreshnessMs, std::uint32_t Window>
class request_opener {
 public:
  explicit request_opener(sealing_key const& key) : key_(key), key_id_(key.id()) {}
  // The request in `frame`, opened into `out` (a buffer with rebuild(n) and
  // data(), sized here; the payload starts seal_run_secret_size bytes in):
  // its answer's key, or why not.
  template <class Out>
  std::optional<seal_drop> open(std::span<std::uint8_t const> frame, answer_key& answer, Out& out) {
    sealed_request_fields f;
    if (auto d = read_sealed_request(frame, f)) return d;
    if (f.recipient != key_id_) return seal_drop::unknown_key;
    auto const now = seal_clock_ms();
    if ((f.sent_at_ms > now ? f.sent_at_ms - now : now - f.sent_at_ms) > FreshnessMs) return seal_drop::stale;
    out.rebuild(sealed_opened_size(frame.size()));
    if (auto d = open_request(frame, key_, f, answer, static_cast<std::uint8_t*>(out.data()))) return d;
    // Recorded only once authentic and in its own run: a forged frame, or a
    // genuine one in someone else's run, cannot move a window.
    auto const stamp = std::min(f.sent_at_ms, now);
    bool const fresh_run = replays_.known(f.run) || stamp > replays_.forgotten_stamp();
    if (!fresh_run || !replays_.record(f.run, f.sequence, stamp)) {
      answer = answer_key{};
      return seal_drop::replayed;
    }
    return std::nullopt;
  }

 private:
  sealing_key key_;
  key_id key_id_;
  replay_tracker<seal_run, Window> replays_{4096};
};

}  // namespace detail
}  // namespace v0
}  // namespace zguard

#if !defined(ZGUARD_SEPARATE_COMPILATION)
#include <zguard/impl/seal_box.ipp>
#endif
