// libFuzzer target for sealed payloads (detail/seal_box.hpp,
// docs/wire-format.md "Sealed payloads") and sealed feeds
// (detail/feed_seal.hpp, "Sealed feeds"). Every input is read every way:
//  - as a sealed request by the test vector's service and as a sealed
//    answer with the vector's answer key: what opens must have the layout's
//    size and kind, and its plaintext must be what libsodium's own
//    decryption of the same bytes gives (for a request: with the run's
//    secret naming the header's run);
//  - as a key announcement taken by a member (the feed vector's key 11..11)
//    and as a feed message opened by that member holding two fixed epoch
//    keys: what is refused is refused for the reason the layout and
//    libsodium's own decryption give, what is installed is libsodium's
//    decryption of the member's entry under the wrap key derived as
//    documented, what opens is libsodium's decryption and unpadding under a
//    key held, and sealing it again gives the same bytes;
//  - as an edit script over one of four genuine feed frames: the result
//    opens (to the original) only when no edit changed the bytes that are
//    authenticated for the member, and is refused with a reason otherwise.
// Nothing may crash or read out of range.
#include <zguard/zguard.hpp>

#include <sodium.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace zd = zguard::detail;

namespace {

[[noreturn]] void fail(char const* what) {
  std::fprintf(stderr, "fuzz_sealed: %s\n", what);
  std::abort();
}

// The vector's service key (secret 01 02 .. 20) and its answer key (ephemeral 40 .. 5f).
struct vector_keys {
  zguard::sealing_key service = [] {
    std::array<std::uint8_t, 32> s{};
    for (std::size_t i = 0; i < 32; ++i) s[i] = std::uint8_t(i + 1);
    return zguard::sealing_key::from_bytes(s);
  }();
  zd::request_keys keys = [this] {
    std::array<std::uint8_t, 32> e{};
    for (std::size_t i = 0; i < 32; ++i) e[i] = std::uint8_t(0x40 + i);
    zd::request_keys k;
    if (!zd::prepare_request_keys(k, service.public_part(), e.data())) fail("the vector's keys");
    return k;
  }();
};

void as_request(std::span<std::uint8_t const> frame, vector_keys const& v) {
  zd::sealed_request_fields f;
  if (zd::read_sealed_request(frame, f)) return;
  if (frame.size() < zd::sealed_request_overhead || frame[0] != zd::sealed_request_kind || frame[1] != zd::sealed_format)
    fail("a request read that its layout refuses");
  zd::answer_key answer;
  std::vector<std::uint8_t> plain(zd::sealed_opened_size(frame.size()));
  bool const opened = !zd::open_request(frame, v.service, f, answer, plain.data());
  // Independently: the keys from the header's E, libsodium's decryption, the run's name.
  std::array<std::uint8_t, 32> request_key{}, answer_key{};
  bool const derived = zd::derive_seal_keys(zguard::detail::sealing_access::secret(v.service), f.ephemeral.data(),
                                            f.ephemeral.data(), v.service.public_part().data(), request_key.data(),
                                            answer_key.data());
  std::vector<std::uint8_t> again(plain.size());
  bool const decrypts =
      derived && crypto_aead_xchacha20poly1305_ietf_decrypt(
                     again.data(), nullptr, nullptr, frame.data() + zd::sealed_request_header,
                     frame.size() - zd::sealed_request_header, frame.data(), zd::sealed_request_header,
                     frame.data() + 74, request_key.data()) == 0;
  zd::seal_run_secret secret{};
  if (decrypts) std::memcpy(secret.data(), again.data(), secret.size());
  bool const own_run = decrypts && zd::seal_run_name(secret) == f.run;
  if (opened != own_run) fail("open_request and libsodium disagree");
  if (opened) {
    if (std::memcmp(plain.data() + zd::seal_run_secret_size, again.data() + zd::seal_run_secret_size,
                    plain.size() - zd::seal_run_secret_size) != 0)
      fail("open_request's plaintext is not libsodium's");
    for (std::size_t i = 0; i < zd::seal_run_secret_size; ++i)
      if (plain[i] != 0) fail("the run's secret was left in the opened frame");
    if (!answer.armed || answer.request != f.ephemeral) fail("an opened request without its answer key");
  }
}

void as_answer(std::span<std::uint8_t const> frame, vector_keys const& v) {
  auto const name = zd::answer_names(frame);
  if (!name) return;
  if (frame.size() < zd::sealed_answer_overhead || frame[0] != zd::sealed_answer_kind) fail("an answer named wrongly");
  std::vector<std::uint8_t> plain(frame.size() - zd::sealed_answer_overhead), again(plain.size());
  bool const opened = !zd::open_answer(frame, v.keys.answer, plain.data());
  bool const decrypts =
      *name == v.keys.answer.request &&
      crypto_aead_xchacha20poly1305_ietf_decrypt(again.data(), nullptr, nullptr, frame.data() + zd::sealed_answer_header,
                                                 frame.size() - zd::sealed_answer_header, frame.data(),
                                                 zd::sealed_answer_header, frame.data() + 34,
                                                 v.keys.answer.key.data()) == 0;
  if (opened != decrypts) fail("open_answer and libsodium disagree");
  if (opened && plain != again) fail("open_answer's plaintext is not libsodium's");
}


// --- sealed feeds ---------------------------------------------------------------
//
// Checked against docs/wire-format.md, "Sealed feeds", with libsodium alone:
// the layouts, the associated data, the nonces, the wrap key and the padding
// are written out again here rather than taken from feed_seal.hpp.

constexpr std::string_view feed_topic = "test.tick";
constexpr std::uint64_t epoch0 = 1767225600000000ull;  // the vector's epoch (key 33..33, ephemeral 22..22)
constexpr std::uint64_t epoch1 = epoch0 + 1;           // a second epoch (key 44..44, ephemeral 55..55)
constexpr std::size_t feed_header = 22, ann_header = 44, ann_entry = 56, tag = 16;

std::uint64_t le(std::uint8_t const* p, std::size_t n) {
  std::uint64_t v = 0;
  for (std::size_t i = n; i-- > 0;) v = v << 8 | p[i];
  return v;
}
void put_le(std::uint8_t* p, std::uint64_t v, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) p[i] = std::uint8_t(v >> (8 * i));
}
std::array<std::uint8_t, 32> filled(std::uint8_t b) {
  std::array<std::uint8_t, 32> a{};
  a.fill(b);
  return a;
}
using bytes = std::vector<std::uint8_t>;

// The associated data: header || topic length || topic || publisher id [|| member id].
bytes feed_ad(std::uint8_t const* header, std::size_t header_size, zguard::key_id const& publisher,
              zguard::key_id const* member) {
  bytes ad(header, header + header_size);
  ad.push_back(std::uint8_t(feed_topic.size()));
  ad.insert(ad.end(), feed_topic.begin(), feed_topic.end());
  ad.insert(ad.end(), publisher.bytes.begin(), publisher.bytes.end());
  if (member) ad.insert(ad.end(), member->bytes.begin(), member->bytes.end());
  return ad;
}

// A message sealed with libsodium alone: sodium_pad's layout written out
// (payload, 0x80, zeros to the next multiple of pad), nonce epoch || counter || 0^8.
bytes reference_seal(std::string_view payload, std::uint8_t const* key, std::uint64_t epoch, std::uint64_t counter,
                     std::uint16_t pad, zguard::key_id const& publisher) {
  std::size_t const padded = (payload.size() / pad + 1) * pad;
  bytes plain(padded, 0);
  std::memcpy(plain.data(), payload.data(), payload.size());
  plain[payload.size()] = 0x80;
  bytes f(feed_header + padded + tag);
  f[0] = 0x46;
  f[1] = 0x02;
  put_le(f.data() + 2, pad, 2);
  put_le(f.data() + 4, epoch, 8);
  put_le(f.data() + 12, counter, 8);
  // The messages it holds: a batch's count (0x81, u16), else one.
  bool const batch = payload.size() >= 3 && std::uint8_t(payload[0]) == 0x81;
  put_le(f.data() + 20, batch ? std::uint8_t(payload[1]) | std::uint8_t(payload[2]) << 8 : 1, 2);
  auto const ad = feed_ad(f.data(), feed_header, publisher, nullptr);
  std::array<std::uint8_t, 24> nonce{};
  put_le(nonce.data(), epoch, 8);
  put_le(nonce.data() + 8, counter, 8);
  crypto_aead_xchacha20poly1305_ietf_encrypt(f.data() + feed_header, nullptr, plain.data(), plain.size(), ad.data(),
                                             ad.size(), nullptr, nonce.data(), key);
  return f;
}

struct feed_keys {
  zguard::sealing_key member = zguard::sealing_key::from_bytes(filled(0x11));
  std::array<std::uint8_t, 32> member_secret = filled(0x11);
  zguard::key_id member_id = member.id();
  zguard::key_id publisher = [] {
    zguard::key_id p{};
    for (std::uint8_t i = 0; i < 8; ++i) p.bytes[i] = i;
    return p;
  }();
  zguard::key_id other_publisher = [] {
    zguard::key_id p{};
    p.bytes.fill(0xEE);
    return p;
  }();
  std::array<std::uint8_t, 32> key0 = filled(0x33), key1 = filled(0x44);
  // The genuine frames: the docs' vector (one member), and an announcement
  // of epoch1 to three members with ours in the middle, with one message each.
  bytes announcement0 = zd::build_announcement(epoch0, key0.data(), filled(0x22).data(),
                                               zguard::sealing_members{member.public_part()}, feed_topic, publisher);
  bytes announcement1 = zd::build_announcement(
      epoch1, key1.data(), filled(0x55).data(),
      zguard::sealing_members{zguard::sealing_key::from_bytes(filled(0x66)).public_part(), member.public_part(),
                              zguard::sealing_key::from_bytes(filled(0x77)).public_part()},
      feed_topic, publisher);
  std::string_view payload0 = "hello, sealed feed", payload1 = "epoch one, pad block 1";
  bytes message0 = sealed(payload0, key0.data(), epoch0, 1, 16);
  bytes message1 = sealed(payload1, key1.data(), epoch1, 7, 1);
  // A member holding both epoch keys (epoch1 current, epoch0 the one before): open() is const.
  zd::feed_opener holder{member, feed_topic};

  bytes sealed(std::string_view payload, std::uint8_t const* key, std::uint64_t epoch, std::uint64_t counter,
               std::uint16_t pad) const {
    bytes f(zd::sealed_feed_size(payload.size(), pad));
    std::memcpy(f.data() + zd::sealed_feed_header, payload.data(), payload.size());
    zd::seal_feed_message(f.data(), payload.size(), key, epoch, counter, pad, feed_topic, publisher);
    if (f != reference_seal(payload, key, epoch, counter, pad, publisher))
      fail("seal_feed_message does not seal as the wire format says");
    return f;
  }

  feed_keys() {
    static constexpr char vector_announcement[] =
        "4b0100402046484706000faa684ed28867b97f4a6a2dee5df8ce974e76b7018e3f22a1c4cf2678570f2001005a732962418cf0b1"
        "4312d46bd4622b22de1d954ab9f839e690bb021e93d021f4150760461fae2d2139813caa6ebf10aaf2542d437543ea87";
    static constexpr char vector_message[] =
        "46021000004020464847060001000000000000000100d0259214232c9976e6eecaf8ae56e154c8081c771eeef687d7fee262ac2f7e44"
        "c200f67cebcbfb7c11a3cf6b711ffb97";
    auto hex = [](bytes const& b) {
      std::vector<char> out(2 * b.size() + 1);
      sodium_bin2hex(out.data(), out.size(), b.data(), b.size());
      return std::string(out.data());
    };
    if (hex(announcement0) != vector_announcement || hex(message0) != vector_message) fail("the feed vector");
    if (!holder.take_announcement(announcement0, publisher).installed ||
        !holder.take_announcement(announcement1, publisher).installed)
      fail("the genuine announcements");
  }
  std::uint8_t const* key_of(std::uint64_t epoch) const {
    return epoch == epoch0 ? key0.data() : epoch == epoch1 ? key1.data() : nullptr;
  }
};

feed_keys const& feed() {
  static feed_keys const k;
  return k;
}

// What the wire format says an announcement does to a member with no key
// of its epoch yet: the layout, the first entry naming the member, the
// wrap key BLAKE2b-256("zguard.sealed.epoch.v1"; X25519(m, E) || E || M),
// then libsodium's decryption of the entry.
struct announcement_expected {
  std::optional<zd::seal_drop> drop;
  std::uint64_t epoch = 0;
  std::array<std::uint8_t, 32> key{};
};
announcement_expected expect_announcement(std::span<std::uint8_t const> a) {
  auto const& k = feed();
  announcement_expected x;
  if (a.size() < ann_header || a[0] != 0x4B || a[1] != 0x01 || a.size() != ann_header + ann_entry * le(&a[42], 2)) {
    x.drop = zd::seal_drop::malformed;
    return x;
  }
  x.epoch = le(&a[2], 8);
  std::uint8_t const* entry = nullptr;
  for (std::size_t at = ann_header; at < a.size() && !entry; at += ann_entry)
    if (std::memcmp(&a[at], k.member_id.bytes.data(), 8) == 0) entry = &a[at];
  if (!entry) {
    x.drop = zd::seal_drop::not_a_member;
    return x;
  }
  std::array<std::uint8_t, 96> in{};
  if (crypto_scalarmult(in.data(), k.member_secret.data(), &a[10]) != 0) {
    x.drop = zd::seal_drop::weak_key;
    return x;
  }
  std::memcpy(in.data() + 32, &a[10], 32);
  std::memcpy(in.data() + 64, k.member.public_part().data(), 32);
  constexpr std::string_view label = "zguard.sealed.epoch.v1";
  std::array<std::uint8_t, 32> wrap{};
  crypto_generichash(wrap.data(), wrap.size(), in.data(), in.size(), reinterpret_cast<std::uint8_t const*>(label.data()),
                     label.size());
  auto const ad = feed_ad(a.data(), ann_header, k.publisher, &k.member_id);
  std::array<std::uint8_t, 24> const zero{};
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(x.key.data(), nullptr, nullptr, entry + 8, 32 + tag, ad.data(),
                                                 ad.size(), zero.data(), wrap.data()) != 0) {
    x.drop = zd::seal_drop::forged;
    return x;
  }
  // One encryption per wrap key: sealing the key again gives the entry's bytes.
  std::array<std::uint8_t, 32 + tag> again{};
  crypto_aead_xchacha20poly1305_ietf_encrypt(again.data(), nullptr, x.key.data(), 32, ad.data(), ad.size(), nullptr,
                                             zero.data(), wrap.data());
  if (std::memcmp(again.data(), entry + 8, again.size()) != 0) fail("an entry that opens does not seal back to itself");
  return x;
}

// Whether `opener` holds exactly `key` for `epoch`: a probe sealed under it
// with libsodium alone opens to the probe's payload.
bool holds(zd::feed_opener const& opener, std::uint64_t epoch, std::uint8_t const* key) {
  auto const probe = reference_seal("probe", key, epoch, 1, 1, feed().publisher);
  zmq::message_t plain;
  std::size_t size = 0;
  return !opener.open(probe, feed().publisher, plain, size) &&
         std::string_view(static_cast<char const*>(plain.data()), size) == "probe";
}

// What take_announcement did: checked against the expectation by a member
// new to the publisher, then by one holding the vector's epoch0 already.
announcement_expected as_announcement(std::span<std::uint8_t const> a) {
  auto const& k = feed();
  auto const x = expect_announcement(a);
  bool const installs = !x.drop;
  {
    zd::feed_opener fresh{k.member, feed_topic};
    auto const r = fresh.take_announcement(a, k.publisher);
    if (r.drop != x.drop || r.installed != installs || r.quiet) fail("take_announcement and libsodium disagree");
    if (x.drop != zd::seal_drop::malformed && r.epoch != x.epoch) fail("take_announcement read another epoch");
    if (fresh.epoch_of(k.publisher) != (installs ? x.epoch : 0)) fail("the current epoch is not the one announced");
    if (installs && !holds(fresh, x.epoch, x.key.data())) fail("the installed key is not libsodium's decryption");
    // Again: a key taken or an exclusion is quiet; a refusal is refused again.
    auto const again = fresh.take_announcement(a, k.publisher);
    bool const remembered = installs || x.drop == zd::seal_drop::not_a_member;
    if (again.installed || again.quiet != remembered || again.drop != x.drop)
      fail("a repeated announcement is not a repeat");
    if (installs && !holds(fresh, x.epoch, x.key.data())) fail("a repeat changed the key");
  }
  if (x.drop == zd::seal_drop::malformed) return x;
  zd::feed_opener member{k.member, feed_topic};
  if (!member.take_announcement(k.announcement0, k.publisher).installed) fail("the vector's announcement");
  auto const r = member.take_announcement(a, k.publisher);
  if (x.epoch == epoch0) {
    if (!r.quiet || r.drop || r.installed) fail("an announcement of the epoch held is not quiet");
  } else if (r.drop != x.drop || r.installed != installs || r.quiet) {
    fail("take_announcement after an epoch and libsodium disagree");
  }
  if (!holds(member, epoch0, k.key0.data())) fail("an announcement took the epoch before away");
  if (member.epoch_of(k.publisher) != (installs && x.epoch != epoch0 ? x.epoch : epoch0))
    fail("the current epoch after a second announcement");
  if (installs && x.epoch != epoch0 && !holds(member, x.epoch, x.key.data())) fail("the second key is not libsodium's");
  return x;
}

// What open() did, by the member holding epoch0 and epoch1: the layout, the
// key of the epoch, libsodium's decryption, sodium_pad's layout undone.
std::optional<zd::seal_drop> as_message(std::span<std::uint8_t const> f) {
  auto const& k = feed();
  zmq::message_t plain;
  std::size_t size = 0;
  auto const r = k.holder.open(f, k.publisher, plain, size);

  std::optional<zd::seal_drop> x;
  std::size_t const pad = f.size() >= 4 ? std::size_t(le(&f[2], 2)) : 0;
  std::size_t const padded = f.size() > feed_header + tag ? f.size() - feed_header - tag : 0;
  std::uint8_t const* key = f.size() >= feed_header ? k.key_of(le(&f[4], 8)) : nullptr;
  bytes again(padded);
  std::size_t unpadded = 0;
  bool const layout = padded > 0 && f[0] == 0x46 && f[1] == 0x02 && pad > 0 && padded % pad == 0;
  if (!layout) {
    x = zd::seal_drop::malformed;
  } else if (!key) {
    x = zd::seal_drop::unknown_epoch;
  } else {
    auto const ad = feed_ad(f.data(), feed_header, k.publisher, nullptr);
    std::array<std::uint8_t, 24> nonce{};
    std::memcpy(nonce.data(), &f[4], 16);
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(again.data(), nullptr, nullptr, &f[feed_header], padded + tag,
                                                   ad.data(), ad.size(), nonce.data(), key) != 0) {
      x = zd::seal_drop::forged;
    } else {
      // The last block: zeros back to 0x80.
      std::size_t i = padded;
      while (i > padded - pad && again[i - 1] == 0) --i;
      if (i == padded - pad || again[i - 1] != 0x80) {
        x = zd::seal_drop::malformed;
      } else {
        unpadded = i - 1;
        // The header's message count is the payload's: a batch's (0x81, u16), else one.
        bool const batch = unpadded >= 3 && again[0] == 0x81;
        if (le(&f[20], 2) != (batch ? le(&again[1], 2) : 1)) x = zd::seal_drop::malformed;
      }
    }
  }
  if (r != x) fail("open and libsodium disagree");
  if (!r) {
    if (size != unpadded || plain.size() < size || std::memcmp(plain.data(), again.data(), size) != 0)
      fail("open's plaintext is not libsodium's");
    // Canonical: sealing the plaintext again at its place gives the same bytes.
    std::string_view const text(static_cast<char const*>(plain.data()), size);
    if (k.sealed(text, key, le(&f[4], 8), le(&f[12], 8), std::uint16_t(pad)) !=
        bytes(f.begin(), f.end()))
      fail("an opened message does not seal back to itself");
  }
  // No key of another publisher is held.
  auto const other = k.holder.open(f, k.other_publisher, plain, size);
  if (other != (layout ? zd::seal_drop::unknown_epoch : zd::seal_drop::malformed))
    fail("a message opened under another publisher");
  return r;
}

// The input as byte 0 (which genuine frame) and edits of 3 bytes each:
// op (bits 0-1: xor, insert, erase, cut) and position (bits 2-7, then byte 1,
// modulo the frame's size + 1), value (byte 2).
bytes edited(bytes frame, std::span<std::uint8_t const> script) {
  for (std::size_t at = 0; at + 3 <= script.size(); at += 3) {
    std::size_t const pos = (std::size_t(script[at] >> 2) << 8 | script[at + 1]) % (frame.size() + 1);
    std::uint8_t const value = script[at + 2];
    switch (script[at] & 3) {
      case 0:
        if (pos < frame.size()) frame[pos] ^= value;
        break;
      case 1: frame.insert(frame.begin() + std::ptrdiff_t(pos), value); break;
      case 2:
        if (pos < frame.size()) frame.erase(frame.begin() + std::ptrdiff_t(pos));
        break;
      default: frame.resize(pos); break;
    }
  }
  return frame;
}

// The entry naming the member in an announcement of the right size, or nullptr.
std::uint8_t const* member_entry(bytes const& a) {
  for (std::size_t at = ann_header; at + ann_entry <= a.size(); at += ann_entry)
    if (std::memcmp(&a[at], feed().member_id.bytes.data(), 8) == 0) return &a[at];
  return nullptr;
}

void as_edit(std::span<std::uint8_t const> input) {
  auto const& k = feed();
  unsigned const which = input.empty() ? 0 : input[0] % 4;
  auto const script = input.empty() ? input : input.subspan(1);
  if (which < 2) {
    bytes const& genuine = which == 0 ? k.message0 : k.message1;
    std::string_view const payload = which == 0 ? k.payload0 : k.payload1;
    // Exact size: a read past the edited frame is a sanitizer error.
    bytes const m = edited(genuine, script);
    auto const r = as_message(m);
    if (m == genuine) {
      zmq::message_t plain;
      std::size_t size = 0;
      if (r || k.holder.open(m, k.publisher, plain, size) ||
          std::string_view(static_cast<char const*>(plain.data()), size) != payload)
        fail("a genuine message does not open to its payload");
    } else if (!r) {
      fail("an altered message opens");
    }
    return;
  }
  bytes const& genuine = which == 2 ? k.announcement0 : k.announcement1;
  bytes const a = edited(genuine, script);
  auto const x = as_announcement(a);
  // Authenticated for the member: the header and its own entry (the first
  // naming it); the other members' entries are not, and may change.
  bool const same = a.size() == genuine.size() && std::memcmp(a.data(), genuine.data(), ann_header) == 0 &&
                    member_entry(a) && std::memcmp(member_entry(a), member_entry(genuine), ann_entry) == 0;
  if (same != !x.drop) fail(same ? "a genuine announcement is refused" : "an altered announcement is taken");
  if (same && std::memcmp(x.key.data(), (which == 2 ? k.key0 : k.key1).data(), 32) != 0)
    fail("a genuine announcement gives another key");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
  static vector_keys const v;
  std::span<std::uint8_t const> frame(data, size);
  as_request(frame, v);
  as_answer(frame, v);
  as_announcement(frame);
  as_message(frame);
  as_edit(frame);
  return 0;
}
