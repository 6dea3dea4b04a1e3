// zguard/detail/feed_seal.hpp - the crypto of a sealed feed (G19): a
// publisher's messages sealed under its current epoch key
// (XChaCha20-Poly1305-IETF), and that key sealed to each member's X25519
// sealing key in a key announcement (in the manner of Signal's sender
// keys). Both travel inside the publisher's Ed25519 envelope, which says
// who sent them and refuses replays; the topic and the publisher's key id
// are associated data as well, so a sealed message opens under no other
// topic or publisher. Layouts: docs/wire-format.md, "Sealed feeds".
//
// Nonces never repeat under one key, by construction: an epoch key is 32
// random bytes drawn for one epoch of one publisher and seals messages
// under the nonce epoch || counter || 0^8 with the counter counting from 1
// (the epoch ends before it could wrap); a member's wrap key comes from a
// fresh ephemeral key of that epoch and seals one thing, the epoch key
// (the announcement is built once and repeated as the same bytes).
#pragma once

#include <sodium.h>
#include <zmq.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string_view>
#include <vector>

#include <zguard/batching.hpp>
#include <zguard/detail/bytes.hpp>
#include <zguard/detail/guarded_bytes.hpp>
#include <zguard/detail/seal_box.hpp>
#include <zguard/envelope.hpp>
#include <zguard/sealed.hpp>
#include <zguard/signing.hpp>

namespace zguard {
inline namespace v0 {
namespace detail {

inline constexpr std::uint8_t sealed_feed_kind = 0x46;       // 'F': a message sealed under an epoch key
inline constexpr std::uint8_t key_announcement_kind = 0x4B;  // 'K': an epoch key sealed to each member
// A sealed message's format: 2 adds the count of messages it holds, in
// clear and bound into the associated data, which a forwarder's rate limit
// reads (format 1 hid it, so a sealed batch paid for one message there).
inline constexpr std::uint8_t sealed_feed_format = 0x02;
// kind, format, pad block (u16), epoch (u64), counter (u64), messages (u16)
inline constexpr std::size_t sealed_feed_header = 1 + 1 + 2 + 8 + 8 + 2;  // 22
inline constexpr std::size_t sealed_feed_count_at = 20;
// kind, format, epoch (u64), the epoch's ephemeral public key, member count (u16)
inline constexpr std::size_t announcement_header = 1 + 1 + 8 + 32 + 2;  // 44
// a member's key id, the epoch key sealed to it, its tag
inline constexpr std::size_t announcement_entry = 8 + seal_key_size + seal_tag_size;  // 56
inline constexpr std::string_view feed_wrap_label = "zguard.sealed.epoch.v1";
inline constexpr std::size_t feed_ad_max = 44 + 1 + 255 + 8 + 8;

// sodium_pad's size: the plaintext, a 0x80 byte and zeros, to a multiple of block.
constexpr std::size_t feed_padded_size(std::size_t plain, std::size_t block) { return (plain / block + 1) * block; }
constexpr std::size_t sealed_feed_size(std::size_t plain, std::size_t block) {
  return sealed_feed_header + feed_padded_size(plain, block) + seal_tag_size;
}
constexpr std::size_t announcement_size(std::size_t members) {
  return announcement_header + members * announcement_entry;
}

// The associated data: the sealed header's bytes, the topic (length
// first), the publisher's key id, and on an announcement's entry the
// member's key id.
struct feed_ad {
  std::array<std::uint8_t, feed_ad_max> bytes{};
  std::size_t size = 0;
  feed_ad(std::span<std::uint8_t const> header, std::string_view topic, key_id const& publisher,
          key_id const* member = nullptr) {
    auto put = [&](void const* p, std::size_t n) {
      if (n) std::memcpy(bytes.data() + size, p, n);
      size += n;
    };
    auto const topic_size = static_cast<std::uint8_t>(topic.size());
    put(header.data(), header.size());
    put(&topic_size, 1);
    put(topic.data(), topic.size());
    put(publisher.bytes.data(), publisher.bytes.size());
    if (member) put(member->bytes.data(), member->bytes.size());
  }
};

// A message's nonce: epoch || counter || 0^8.
inline std::array<std::uint8_t, seal_nonce_size> feed_nonce(std::uint64_t epoch, std::uint64_t counter) {
  std::array<std::uint8_t, seal_nonce_size> n{};
  put_u64(n.data(), epoch);
  put_u64(n.data() + 8, counter);
  return n;
}

// A member's wrap key: BLAKE2b-256 keyed with feed_wrap_label over the
// X25519 result || the epoch's ephemeral public key || the member's key.
// False on a result of all zeros (a low-order point).
inline bool feed_wrap_key(std::uint8_t* out, std::uint8_t const* secret, std::uint8_t const* point,
                          std::uint8_t const* ephemeral_public, std::uint8_t const* member_public) {
  std::array<std::uint8_t, 96> in{};
  if (crypto_scalarmult(in.data(), secret, point) != 0) return false;
  std::memcpy(in.data() + 32, ephemeral_public, 32);
  std::memcpy(in.data() + 64, member_public, 32);
  crypto_generichash(out, seal_key_size, in.data(), in.size(), reinterpret_cast<std::uint8_t const*>(feed_wrap_label.data()),
                     feed_wrap_label.size());
  sodium_memzero(in.data(), in.size());
  return true;
}

// Seals the pad-ready plaintext of `plain` bytes at out + sealed_feed_header
// in place under `key` (epoch, counter); out holds sealed_feed_size(plain, pad).
inline void seal_feed_message(std::uint8_t* out, std::size_t plain, std::uint8_t const* key, std::uint64_t epoch,
                              std::uint64_t counter, std::uint16_t pad, std::string_view topic,
                              key_id const& publisher) {
  auto const messages = static_cast<std::uint16_t>(messages_in({out + sealed_feed_header, plain}));
  std::size_t padded = 0;
  if (sodium_pad(&padded, out + sealed_feed_header, plain, pad, feed_padded_size(plain, pad)) != 0)
    throw std::length_error("zguard: sealed feed padding");
  out[0] = sealed_feed_kind;
  out[1] = sealed_feed_format;
  put_u16(out + 2, pad);
  put_u64(out + 4, epoch);
  put_u64(out + 12, counter);
  put_u16(out + sealed_feed_count_at, messages);
  feed_ad const ad({out, sealed_feed_header}, topic, publisher);
  auto const nonce = feed_nonce(epoch, counter);
  unsigned long long written = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(out + sealed_feed_header, &written, out + sealed_feed_header, padded,
                                             ad.bytes.data(), ad.size, nullptr, nonce.data(), key);
}

// An epoch's announcement: `key` sealed to each member with the ephemeral
// secret `e` (32 bytes; its public part goes in the header).
inline std::vector<std::uint8_t> build_announcement(std::uint64_t epoch, std::uint8_t const* key,
                                                    std::uint8_t const* e, sealing_members const& members,
                                                    std::string_view topic, key_id const& publisher) {
  std::array<std::uint8_t, 32> E{}, wrap{};
  crypto_scalarmult_base(E.data(), e);
  std::vector<std::uint8_t> out(announcement_size(members.size()), 0);
  auto* a = out.data();
  a[0] = key_announcement_kind;
  a[1] = sealed_format;
  put_u64(a + 2, epoch);
  std::memcpy(a + 10, E.data(), 32);
  put_u16(a + 42, static_cast<std::uint16_t>(members.size()));
  std::size_t at = announcement_header;
  std::array<std::uint8_t, seal_nonce_size> const zero_nonce{};  // one seal per wrap key
  for (auto const& m : members) {
    auto const id = m.id();
    std::memcpy(a + at, id.bytes.data(), 8);
    if (!feed_wrap_key(wrap.data(), e, m.data(), E.data(), m.data()))
      throw key_error("zguard: a member's sealing key gives no shared secret");
    feed_ad const ad({a, announcement_header}, topic, publisher, &id);
    unsigned long long written = 0;
    crypto_aead_xchacha20poly1305_ietf_encrypt(a + at + 8, &written, key, seal_key_size, ad.bytes.data(), ad.size,
                                               nullptr, zero_nonce.data(), wrap.data());
    at += announcement_entry;
  }
  sodium_memzero(wrap.data(), wrap.size());
  return out;
}

// A publisher's side: its members, its current epoch's key (guarded
// memory) and counter, and the epoch's announcement, built once.
class feed_sealer {
 public:
  using clock = std::chrono::steady_clock;

  feed_sealer(sealing_members members, std::string_view topic, key_id publisher, std::uint32_t rotate_ms,
              std::uint32_t announce_ms, std::uint16_t pad, std::size_t max_members)
      : members_(std::move(members)), topic_(topic), publisher_(publisher), rotate_(rotate_ms),
        announce_(announce_ms), pad_(pad), max_members_(max_members) {
    if (members_.empty())
      throw std::invalid_argument(
          "zguard: a sealed publisher needs at least one member (zguard::sealing_members): it would seal for no one");
    if (members_.size() > max_members_)
      throw std::length_error("zguard: a sealed publisher has more members than its max_members<N>");
    new_epoch(clock::now());
  }

  // Before a message goes out: a new epoch once the key is rotate_ms old
  // (or its counter spent); then whether the announcement must go out
  // first (a new epoch's, or the current one's every announce_ms).
  bool announcement_due(clock::time_point now) {
    if (now - epoch_started_ >= rotate_ || counter_ == UINT64_MAX - 1) new_epoch(now);
    return !announced_ || now - announced_at_ >= announce_;
  }
  std::span<std::uint8_t const> announcement() const { return announcement_; }
  void announced(clock::time_point now) {
    announced_ = true;
    announced_at_ = now;
  }

  std::size_t sealed_size(std::size_t plain) const { return sealed_feed_size(plain, pad_); }
  // Seals `plain` bytes that fill(at) writes at out + sealed_feed_header,
  // where they are padded and encrypted in place; out holds sealed_size(plain).
  template <class Fill>
  void seal(std::uint8_t* out, std::size_t plain, Fill const& fill) {
    fill(out + sealed_feed_header);
    seal_feed_message(out, plain, key_->data(), epoch_, ++counter_, pad_, topic_, publisher_);
  }

  // Membership: each change is a new epoch (a removed member never gets
  // its key; an added one reads nothing sent before it joined).
  bool add(sealing_public_key const& key) {
    if (members_.contains(key)) return false;
    if (members_.size() >= max_members_)
      throw std::length_error("zguard: a sealed publisher has max_members<N> members already");
    members_.add(key);
    new_epoch(clock::now());
    return true;
  }
  bool remove(sealing_public_key const& key) {
    if (!members_.remove(key)) return false;
    new_epoch(clock::now());
    return true;
  }
  void rotate() { new_epoch(clock::now()); }
  std::uint64_t epoch() const { return epoch_; }
  sealing_members const& members() const { return members_; }

 private:
  // A fresh key, an ephemeral X25519 key, and the key sealed to each member.
  // Epochs are microseconds since 1970, and above the last: a restarted
  // publisher's are new to its subscribers.
  void new_epoch(clock::time_point now) {
    epoch_ = std::max(epoch_ + 1, micros_since_epoch(std::chrono::system_clock::now()));
    auto key = std::make_unique<guarded_bytes>(seal_key_size);
    crypto_aead_xchacha20poly1305_ietf_keygen(key->writable());
    key->seal();
    key_ = std::move(key);
    counter_ = 0;
    epoch_started_ = now;
    announced_ = false;

    std::array<std::uint8_t, 32> e{};
    randombytes_buf(e.data(), e.size());
    announcement_ = build_announcement(epoch_, key_->data(), e.data(), members_, topic_, publisher_);
    sodium_memzero(e.data(), e.size());
  }

  sealing_members members_;
  std::string_view topic_;  // the channel's name: static
  key_id publisher_;
  std::chrono::milliseconds rotate_, announce_;
  std::uint16_t pad_;
  std::size_t max_members_;
  std::uint64_t epoch_ = 0;
  std::uint64_t counter_ = 0;
  std::unique_ptr<guarded_bytes> key_;
  clock::time_point epoch_started_{}, announced_at_{};
  bool announced_ = false;
  std::vector<std::uint8_t> announcement_;
};

// A subscriber's side: its sealing key and, per publisher, the key of the
// current epoch and of the one before (a message of the old epoch still on
// its way when the new one is announced opens). Epoch keys are held in
// guarded memory and wiped when replaced or when the socket goes.
class feed_opener {
 public:
  feed_opener(sealing_key key, std::string_view topic) : key_(std::move(key)), id_(key_.id()), topic_(topic) {}
  feed_opener(feed_opener const&) = delete;
  feed_opener& operator=(feed_opener const&) = delete;
  ~feed_opener() {
    for (auto& [publisher, s] : publishers_) s.wipe();
  }

  // What an announcement did: a new epoch's key installed, one already
  // held (a repeat), or none for us (said once an epoch: not_a_member).
  struct announcement_result {
    std::optional<seal_drop> drop;
    bool installed = false;
    bool quiet = false;  // a repeat of an announcement already refused or taken: nothing to log
    std::uint64_t epoch = 0;
  };
  announcement_result take_announcement(std::span<std::uint8_t const> a, key_id const& publisher) {
    announcement_result r;
    if (a.size() < announcement_header || a[0] != key_announcement_kind || a[1] != sealed_format)
      return r.drop = seal_drop::malformed, r;
    std::size_t const count = get_u16(a.data() + 42);
    if (a.size() != announcement_size(count)) return r.drop = seal_drop::malformed, r;
    r.epoch = get_u64(a.data() + 2);
    auto& s = publishers_[publisher];
    if ((s.current.held && s.current.epoch == r.epoch) || (s.previous.held && s.previous.epoch == r.epoch) ||
        (s.excluded && s.excluded_epoch == r.epoch)) {
      r.quiet = true;
      if (s.excluded && s.excluded_epoch == r.epoch) r.drop = seal_drop::not_a_member;
      return r;
    }
    std::uint8_t const* entry = nullptr;
    for (std::size_t i = 0; i < count; ++i) {
      auto const* e = a.data() + announcement_header + i * announcement_entry;
      if (std::memcmp(e, id_.bytes.data(), 8) == 0) {
        entry = e;
        break;
      }
    }
    if (!entry) {
      s.excluded = true;
      s.excluded_epoch = r.epoch;
      return r.drop = seal_drop::not_a_member, r;
    }
    // Epochs only go forward (a publisher's grow, across restarts too): an
    // older one, released late by a device that held it back, never
    // replaces the current key; it may fill the slot before it.
    bool const older = s.current.held && r.epoch < s.current.epoch;
    if (older && s.previous.held && r.epoch < s.previous.epoch) return r.drop = seal_drop::stale_epoch, r;
    std::array<std::uint8_t, seal_key_size> wrap{}, epoch_key{};
    if (!feed_wrap_key(wrap.data(), sealing_access::secret(key_), a.data() + 10, a.data() + 10,
                       key_.public_part().data()))
      return r.drop = seal_drop::weak_key, r;
    feed_ad const ad(a.first(announcement_header), topic_, publisher, &id_);
    std::array<std::uint8_t, seal_nonce_size> const zero_nonce{};
    unsigned long long got = 0;
    int const bad = crypto_aead_xchacha20poly1305_ietf_decrypt(epoch_key.data(), &got, nullptr, entry + 8,
                                                               seal_key_size + seal_tag_size, ad.bytes.data(), ad.size,
                                                               zero_nonce.data(), wrap.data());
    sodium_memzero(wrap.data(), wrap.size());
    if (bad != 0) return r.drop = seal_drop::forged, r;
    if (older) {
      s.previous.set(r.epoch, epoch_key.data());
    } else {
      s.previous.take(s.current);
      s.current.set(r.epoch, epoch_key.data());
    }
    sodium_memzero(epoch_key.data(), epoch_key.size());
    r.installed = true;
    return r;
  }

  // A message sealed under one of `publisher`'s epoch keys we hold, opened
  // into `plain`; its plaintext is the first `size` bytes.
  std::optional<seal_drop> open(std::span<std::uint8_t const> f, key_id const& publisher, zmq::message_t& plain,
                                std::size_t& size) const {
    if (f.size() < sealed_feed_header + 1 + seal_tag_size || f[0] != sealed_feed_kind || f[1] != sealed_feed_format)
      return seal_drop::malformed;
    std::size_t const pad = get_u16(f.data() + 2);
    std::uint64_t const epoch = get_u64(f.data() + 4);
    std::uint64_t const counter = get_u64(f.data() + 12);
    std::size_t const padded = f.size() - sealed_feed_header - seal_tag_size;
    if (pad == 0 || padded % pad != 0) return seal_drop::malformed;
    auto const it = publishers_.find(publisher);
    if (it == publishers_.end()) return seal_drop::unknown_epoch;
    auto const* k = it->second.key_of(epoch);
    if (!k) return seal_drop::unknown_epoch;
    feed_ad const ad(f.first(sealed_feed_header), topic_, publisher);
    auto const nonce = feed_nonce(epoch, counter);
    plain = zmq::message_t(padded);
    unsigned long long got = 0;
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(static_cast<std::uint8_t*>(plain.data()), &got, nullptr,
                                                   f.data() + sealed_feed_header, padded + seal_tag_size,
                                                   ad.bytes.data(), ad.size, nonce.data(), k) != 0)
      return seal_drop::forged;
    if (sodium_unpad(&size, static_cast<std::uint8_t const*>(plain.data()), padded, pad) != 0)
      return seal_drop::malformed;
    // The count a forwarder charged is the count inside (the publisher signed and sealed both).
    if (messages_in({static_cast<std::uint8_t const*>(plain.data()), size}) != get_u16(f.data() + sealed_feed_count_at))
      return seal_drop::malformed;
    return std::nullopt;
  }

  // Whether a message of `publisher`'s `epoch` found no key for the first
  // time (logged then; later ones of that epoch are dropped quietly, as a
  // removed member or a late joiner would otherwise log every message).
  bool first_unknown(key_id const& publisher, std::uint64_t epoch) {
    auto& s = publishers_[publisher];
    if (s.unknown_said && s.unknown_epoch == epoch) return false;
    s.unknown_said = true;
    s.unknown_epoch = epoch;
    return true;
  }
  // The epoch a sealed message names (0: too short to name one).
  static std::uint64_t epoch_named(std::span<std::uint8_t const> f) {
    return f.size() >= sealed_feed_header ? get_u64(f.data() + 4) : 0;
  }

  // The epoch whose key we hold now for `publisher` (0: none).
  std::uint64_t epoch_of(key_id const& publisher) const {
    auto const it = publishers_.find(publisher);
    return it == publishers_.end() || !it->second.current.held ? 0 : it->second.current.epoch;
  }

 private:
  // An epoch key in guarded memory, as the publisher's (read-only once set,
  // guard pages around it, wiped when replaced or freed).
  struct epoch_key {
    std::uint64_t epoch = 0;
    std::unique_ptr<guarded_bytes> key;
    bool held = false;
    void set(std::uint64_t e, std::uint8_t const* k) {
      auto g = std::make_unique<guarded_bytes>(seal_key_size);
      std::memcpy(g->writable(), k, seal_key_size);
      g->seal();
      epoch = e;
      key = std::move(g);
      held = true;
    }
    void take(epoch_key& other) {
      epoch = other.epoch;
      key = std::move(other.key);
      held = other.held;
      other.held = false;
    }
    void wipe() {
      key.reset();
      held = false;
    }
  };
  struct publisher_state {
    epoch_key current, previous;
    bool excluded = false;
    std::uint64_t excluded_epoch = 0;  // the newest epoch announced without us
    bool unknown_said = false;
    std::uint64_t unknown_epoch = 0;  // the last epoch a message came under that we hold no key for
    std::uint8_t const* key_of(std::uint64_t e) const {
      if (current.held && current.epoch == e) return current.key->data();
      if (previous.held && previous.epoch == e) return previous.key->data();
      return nullptr;
    }
    void wipe() {
      current.wipe();
      previous.wipe();
    }
  };

  sealing_key key_;
  key_id id_;
  std::string_view topic_;
  // By publisher key id: only envelopes a trusted key signed get here, so
  // there are at most as many entries as verify keys.
  std::map<key_id, publisher_state> publishers_;
};

}  // namespace detail
}  // namespace v0
}  // namespace zguard
