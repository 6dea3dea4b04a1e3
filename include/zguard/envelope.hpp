// zguard/envelope.hpp - the signed envelope: sealing, parsing, verifying
// (G7). The format is specified in docs/wire-format.md, "Signed envelope".
//
//   frames: [topic]  sealed
//   sealed: header || payload || signature        (one frame)
//   header: version 2, algorithm, key id, publisher epoch, sequence,
//           timestamp, topic
//   signed: "zguard.envelope.v2\0" || header || payload
//   Ed25519 signs "zguard.ed25519.blake2b512\0" || BLAKE2b-512(signed);
//   BLAKE2b-256 MACs the signed bytes with the group key
//
// signer<A> seals into one preallocated frame; unverified_envelope::parse
// only splits it and gives nothing of the payload; verifier<A, ...>::verify
// checks key, signature, topic, freshness and replay, and only its result
// hands out the payload.
#pragma once

#include <zmq.hpp>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

#include <zguard/detail/bytes.hpp>
#include <zguard/detail/policy_set.hpp>
#include <zguard/detail/replay_window.hpp>
#include <zguard/signing.hpp>

namespace zguard {
inline namespace v0 {

// Version 2: one sealed frame. Any other version byte (v1's four-frame
// envelopes included) is malformed.
inline constexpr std::uint8_t envelope_version = 2;
// Domain separation: a zguard envelope signature can never be a valid
// signature of anything else the same key signs (and vice versa).
inline constexpr std::string_view envelope_tag{"zguard.envelope.v2\0", 19};
inline constexpr std::size_t envelope_header_min = 35;  // header without the topic

// The signature length an algorithm byte implies; 0 for an unknown byte.
constexpr std::size_t envelope_signature_size(std::uint8_t wire_id) {
  if (wire_id == ed25519::wire_id) return ed25519::signature_size;
  if (wire_id == blake2b_mac::wire_id) return blake2b_mac::signature_size;
  return 0;
}

enum class drop_reason { malformed, unknown_key, bad_signature, re_topiced, replay, stale };

inline std::string_view to_string(drop_reason r) {
  switch (r) {
    case drop_reason::malformed: return "malformed";
    case drop_reason::unknown_key: return "unknown_key";
    case drop_reason::bad_signature: return "bad_signature";
    case drop_reason::re_topiced: return "re_topiced";
    case drop_reason::replay: return "replay";
    case drop_reason::stale: return "stale";
  }
  return "unknown";
}

// Who signed a verified message, and where it stands in that publisher's run.
struct signed_origin {
  key_id key;
  std::uint64_t epoch = 0;         // random per publisher start
  std::uint64_t sequence = 0;      // 1, 2, ... within the epoch
  std::uint64_t timestamp_us = 0;  // publisher's clock, microseconds since 1970
  std::uint16_t batch_index = 0;   // batched<N, Ms>: the message's place in its sealed batch, from 0
};

namespace detail {

inline std::uint64_t micros_since_epoch(std::chrono::system_clock::time_point t) {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count());
}

struct fixed_epoch {
  std::uint64_t value = 0;
};

struct envelope_header {
  std::uint8_t algorithm = 0;
  signed_origin origin;
  std::string_view topic;
};

// One sealed frame split into its parts; every span lies inside the frame.
struct envelope_parts {
  envelope_header header;
  std::span<std::uint8_t const> signed_part;  // header || payload: what the signature covers
  std::span<std::uint8_t const> payload;
  std::span<std::uint8_t const> signature;
};

// Splits header || payload || signature. nullopt unless the frame holds a
// whole version-2 header of a known algorithm, its topic, and that
// algorithm's signature; the payload is what lies between (maybe empty).
// Every length is compared before it is subtracted, so nothing wraps.
inline std::optional<envelope_parts> split_envelope(std::span<std::uint8_t const> b) {
  if (b.size() < envelope_header_min || b[0] != envelope_version) return std::nullopt;
  std::size_t const signature_size = envelope_signature_size(b[1]);
  if (signature_size == 0) return std::nullopt;
  std::size_t const header_size = envelope_header_min + b[34];
  if (b.size() < header_size || b.size() - header_size < signature_size) return std::nullopt;
  std::size_t const payload_size = b.size() - header_size - signature_size;
  envelope_parts e;
  e.header.algorithm = b[1];
  std::copy_n(b.data() + 2, 8, e.header.origin.key.bytes.begin());
  e.header.origin.epoch = get_u64(b.data() + 10);
  e.header.origin.sequence = get_u64(b.data() + 18);
  e.header.origin.timestamp_us = get_u64(b.data() + 26);
  e.header.topic = std::string_view(reinterpret_cast<char const*>(b.data() + envelope_header_min), b[34]);
  e.signed_part = b.first(header_size + payload_size);
  e.payload = b.subspan(header_size, payload_size);
  e.signature = b.subspan(header_size + payload_size, signature_size);
  return e;
}

// What Ed25519 signs for an envelope: digest tag || BLAKE2b-512(tag ||
// signed part). Pure Ed25519 would hash the whole message twice with SHA-512
// (about 300 MB/s here); BLAKE2b-512 reads it once at about 800 MB/s, and
// its 256-bit collision resistance is above Ed25519's 128-bit level. The
// digest tag keeps these signatures apart from anything else of 64 bytes the
// key may sign. (minisign signs files the same way.)
inline constexpr std::string_view ed25519_digest_tag{"zguard.ed25519.blake2b512\0", 26};
inline constexpr std::size_t envelope_digest_size = crypto_generichash_BYTES_MAX;  // 64
using ed25519_signed_bytes = std::array<std::uint8_t, ed25519_digest_tag.size() + envelope_digest_size>;

inline ed25519_signed_bytes envelope_digest(std::span<std::uint8_t const> signed_part) {
  ed25519_signed_bytes m{};
  std::memcpy(m.data(), ed25519_digest_tag.data(), ed25519_digest_tag.size());
  crypto_generichash_state st;
  crypto_generichash_init(&st, nullptr, 0, envelope_digest_size);
  crypto_generichash_update(&st, reinterpret_cast<unsigned char const*>(envelope_tag.data()), envelope_tag.size());
  crypto_generichash_update(&st, signed_part.data(), signed_part.size());
  crypto_generichash_final(&st, m.data() + ed25519_digest_tag.size(), envelope_digest_size);
  return m;
}

// The MAC over tag || signed part (keyed BLAKE2b-256), into out.
inline void envelope_mac(std::uint8_t const* key, std::span<std::uint8_t const> signed_part, std::uint8_t* out) {
  crypto_generichash_state st;
  crypto_generichash_init(&st, key, signing_key<blake2b_mac>::size, blake2b_mac::signature_size);
  crypto_generichash_update(&st, reinterpret_cast<unsigned char const*>(envelope_tag.data()), envelope_tag.size());
  crypto_generichash_update(&st, signed_part.data(), signed_part.size());
  crypto_generichash_final(&st, out, blake2b_mac::signature_size);
  sodium_memzero(&st, sizeof st);
}

}  // namespace detail

// Seals payloads under one signing key. Each signer is one publisher run: a
// fresh random epoch and sequence numbers from 1. Not thread-safe (like the
// socket that owns it).
template <SigningAlgorithm A>
class signer {
 public:
  using clock = std::chrono::system_clock;

  explicit signer(signing_key<A> key) : key_(std::move(key)), id_(key_.id()) { randombytes_buf(&epoch_, sizeof epoch_); }
  // Test vectors only: a chosen epoch. A publisher run draws its own (a run
  // reusing an epoch would see its messages refused as replays).
  signer(signing_key<A> key, detail::fixed_epoch epoch) : key_(std::move(key)), id_(key_.id()), epoch_(epoch.value) {}

  // The size of the sealed frame for a payload of payload_size bytes.
  static constexpr std::size_t sealed_size(std::string_view topic, std::size_t payload_size) {
    return envelope_header_min + topic.size() + payload_size + A::signature_size;
  }

  // One frame, header || payload || signature, allocated once at its final
  // size; fill(std::uint8_t* at) writes exactly payload_size payload bytes
  // in place (an encoder can write straight into the frame).
  template <class Fill>
  zmq::message_t seal_with(std::string_view topic, std::size_t payload_size, Fill&& fill,
                           clock::time_point at = clock::now()) {
    check_topic(topic);
    std::size_t const header_size = envelope_header_min + topic.size();
    zmq::message_t frame(sealed_size(topic, payload_size));
    auto* h = static_cast<std::uint8_t*>(frame.data());
    write_header(h, topic, at);
    fill(h + header_size);
    sign({h, header_size + payload_size}, h + header_size + payload_size);
    return frame;
  }

  // The room seal_in_place needs in front of a payload: the header.
  static constexpr std::size_t room_before(std::string_view topic) { return envelope_header_min + topic.size(); }
  static constexpr std::size_t room_after = A::signature_size;

  // Seals a payload that lies in `room` between room_before(topic) free
  // bytes and room_after free bytes: the header is written in front of it
  // and the signature behind it, so header || payload is signed where it
  // lies, then the sealed bytes are copied once into the frame. The same
  // bytes as seal(topic, payload, at).
  zmq::message_t seal_in_place(std::string_view topic, std::span<std::uint8_t> room, clock::time_point at = clock::now()) {
    check_topic(topic);
    std::size_t const before = room_before(topic);
    if (room.size() < before + room_after) throw std::length_error("zguard::signer::seal_in_place: no room to seal in");
    std::size_t const payload_size = room.size() - before - room_after;
    auto* h = room.data();
    write_header(h, topic, at);
    sign({h, before + payload_size}, h + before + payload_size);
    return zmq::message_t(h, room.size());
  }
  zmq::message_t seal(std::string_view topic, std::span<std::uint8_t const> payload, clock::time_point at = clock::now()) {
    return seal_with(
        topic, payload.size(),
        [&](std::uint8_t* to) {
          if (!payload.empty()) std::memcpy(to, payload.data(), payload.size());
        },
        at);
  }
  std::uint64_t epoch() const { return epoch_; }
  key_id id() const { return id_; }

 private:
  void sign(std::span<std::uint8_t const> signed_part, std::uint8_t* signature) const {
    if constexpr (std::is_same_v<A, ed25519>) key_.sign(detail::envelope_digest(signed_part), signature);
    else detail::envelope_mac(key_.data(), signed_part, signature);
  }
  static void check_topic(std::string_view topic) {
    if (topic.size() > 255) throw std::length_error("zguard::signer::seal: a topic is at most 255 bytes");
  }
  // version, algorithm, key id, epoch, the next sequence number, timestamp, topic
  void write_header(std::uint8_t* h, std::string_view topic, clock::time_point at) {
    h[0] = envelope_version;
    h[1] = A::wire_id;
    std::copy(id_.bytes.begin(), id_.bytes.end(), h + 2);
    detail::put_u64(h + 10, epoch_);
    detail::put_u64(h + 18, ++sequence_);
    detail::put_u64(h + 26, detail::micros_since_epoch(at));
    h[34] = static_cast<std::uint8_t>(topic.size());
    if (!topic.empty()) std::memcpy(h + envelope_header_min, topic.data(), topic.size());  // data() may be null
  }

  signing_key<A> key_;
  key_id id_;  // derived once: an Ed25519 id is a hash of the public key
  std::uint64_t epoch_ = 0;
  std::uint64_t sequence_ = 0;
};

template <SigningAlgorithm A, std::uint32_t FreshnessMs, std::uint32_t Window>
class verifier;

// A signed message as it came off the wire: the sealed frame split, header
// parsed, nothing trusted. Its payload cannot be read; only
// verifier::verify() gives it out, after every check passed. Views the
// frames it was parsed from.
class unverified_envelope {
 public:
  // frames: [topic] sealed (the topic frame when with_topic). Any other
  // frame count, or a sealed frame split_envelope refuses, is nullopt
  // (malformed).
  static std::optional<unverified_envelope> parse(std::span<zmq::message_t const> frames, bool with_topic) {
    std::size_t const first = with_topic ? 1 : 0;
    if (frames.size() != first + 1) return std::nullopt;
    auto parts = detail::split_envelope(detail::bytes_of(frames[first]));
    if (!parts) return std::nullopt;
    unverified_envelope e;
    e.parts_ = *parts;
    if (with_topic) e.topic_frame_ = frames[0].to_string_view();
    e.with_topic_ = with_topic;
    return e;
  }

  // What the sender claims; for logging a refusal, never for decisions.
  signed_origin const& claimed_origin() const { return parts_.header.origin; }
  std::string_view claimed_topic() const { return parts_.header.topic; }

  template <class Unverified = unverified_envelope>
  void payload() const {
    static_assert(detail::dependent_false<Unverified>,
                  "zguard::unverified_envelope::payload: the payload of an unverified message "
                  "cannot be read; pass the envelope to zguard::verifier::verify() and read "
                  "the verified result (G7)");
  }

 private:
  unverified_envelope() = default;
  template <SigningAlgorithm, std::uint32_t, std::uint32_t>
  friend class verifier;

  detail::envelope_parts parts_;
  std::string_view topic_frame_;
  bool with_topic_ = false;
};

// The outcome of verify(): the payload and its origin, or why it was dropped.
// Only verify() makes one.
class verification {
  struct made_by_verifier {
    explicit made_by_verifier() = default;
  };

 public:
  template <class... Args>
    requires(!(sizeof...(Args) == 1 && (std::is_same_v<std::remove_cvref_t<Args>, verification> && ...)))
  explicit verification(Args&&...) : verification(made_by_verifier{}) {  // NOLINT: exists only to explain why it cannot be used
    static_assert(detail::dependent_false<void(Args...)>,
                  "zguard::verification: only verifier::verify() makes one; an outcome no verifier "
                  "produced would hand out an unchecked payload (G7)");
  }
  bool ok() const { return !reason_; }
  explicit operator bool() const { return ok(); }
  drop_reason reason() const { return *reason_; }
  // Only for a verified message; empty otherwise.
  std::span<std::uint8_t const> payload() const { return ok() ? payload_ : std::span<std::uint8_t const>{}; }
  signed_origin const& origin() const { return origin_; }

 private:
  template <SigningAlgorithm, std::uint32_t, std::uint32_t>
  friend class verifier;
  explicit verification(made_by_verifier) {}
  std::optional<drop_reason> reason_;
  std::span<std::uint8_t const> payload_;
  signed_origin origin_;
};

// Checks envelopes against a key set, with replay and freshness state for
// up to max_epochs publisher runs (least recently seen forgotten first; a
// forgotten run's old messages are then stopped by the freshness window).
template <SigningAlgorithm A, std::uint32_t FreshnessMs, std::uint32_t Window>
class verifier {
  // The same bounds as freshness_ms<N> and replay_window<N> (signing.hpp):
  // Window sizes the replay bitmap, 0 would divide by zero.
  static_assert(FreshnessMs > 0 && FreshnessMs <= 600'000, "zguard::verifier: FreshnessMs must be in 1..600000 ms");
  static_assert(Window >= 64 && Window <= 65536 && Window % 64 == 0,
                "zguard::verifier: Window must be a multiple of 64 in 64..65536");

 public:
  using clock = std::chrono::system_clock;
  static constexpr std::size_t default_max_epochs = 256;

  explicit verifier(verify_keys<A> keys, std::size_t max_epochs = default_max_epochs)
      : keys_(std::move(keys)), seen_(max_epochs) {}

  verification verify(unverified_envelope const& e, std::string_view expected_topic, clock::time_point now = clock::now()) {
    verification v{verification::made_by_verifier{}};
    auto const& h = e.parts_.header;
    v.origin_ = h.origin;
    auto drop = [&](drop_reason r) {
      v.reason_ = r;
      return v;
    };
    // Cheap checks first: a flood of junk costs no signature verification.
    // (parse checked the framing; here: the algorithm is this socket's.)
    if (h.algorithm != A::wire_id || e.parts_.signature.size() != A::signature_size) return drop(drop_reason::malformed);
    auto key = keys_.find(h.origin.key, now);
    if (!key) return drop(drop_reason::unknown_key);
    if (!signature_ok(*key, e.parts_)) return drop(drop_reason::bad_signature);
    // Authentic from here on: what it says can be judged.
    if (h.topic != expected_topic || (e.with_topic_ && e.topic_frame_ != h.topic)) return drop(drop_reason::re_topiced);
    auto const now_us = detail::micros_since_epoch(now);
    auto const ts = h.origin.timestamp_us;
    auto const limit = std::uint64_t(FreshnessMs) * 1000;
    if ((now_us > ts && now_us - ts > limit) || (ts > now_us && ts - now_us > limit)) return drop(drop_reason::stale);
    if (!seen_.record({h.origin.key, h.origin.epoch}, h.origin.sequence)) return drop(drop_reason::replay);
    v.payload_ = e.parts_.payload;
    return v;
  }

  std::size_t epochs_tracked() const { return seen_.runs(); }

 private:
  bool signature_ok(typename verify_keys<A>::key_type const& key, detail::envelope_parts const& e) {
    if constexpr (std::is_same_v<A, ed25519>) {
      auto const m = detail::envelope_digest(e.signed_part);
      return crypto_sign_verify_detached(e.signature.data(), m.data(), m.size(), key.data()) == 0;
    } else {
      std::array<std::uint8_t, blake2b_mac::signature_size> mac{};
      detail::envelope_mac(key.data(), e.signed_part, mac.data());
      return sodium_memcmp(mac.data(), e.signature.data(), mac.size()) == 0;  // constant time
    }
  }

  verify_keys<A> keys_;
  // Per publisher run (key, epoch): the least recently seen is forgotten first.
  detail::replay_tracker<std::pair<key_id, std::uint64_t>, Window> seen_;
};

}  // namespace v0
}  // namespace zguard
