// zguard/vouch.hpp - a broker vouches to its workers for the client of each
// request.
//
// Behind a queue the worker's peer is the broker, so the worker cannot tell
// which authenticated client sent a request. A queue declared
//   proxy<Front, Back, vouch_clients<blake2b_mac>>
// (made with the signing_key<blake2b_mac> it shares with its workers) puts
// one frame after each request's routing envelope: the client's identity,
// its kind (a CURVE key, a PLAIN user, or no one behind a NULL front: the
// front's mechanism says, never the text) and its ZAP User-Id, a timestamp,
// the broker's epoch and a sequence number, and a BLAKE2b-256 MAC over all
// of it and the request's payload frames, so a vouch cannot be forged,
// moved to another request, replayed or kept for later. A worker socket
// declared
//   socket<..., vouched<blake2b_mac, freshness_ms<N>>>
// (made with verify_keys<blake2b_mac> as its last argument) checks that
// frame before decoding and hands the client's identity out as
// peer_info::vouched_client and its kind as peer_info::vouched_kind; a
// request without a valid vouch is refused ("vouch.refused"). Byte layout:
// docs/wire-format.md, "Broker vouch" (format 2; format 1 carried no kind
// and is refused as malformed).
#pragma once

#include <sodium.h>
#include <zmq.hpp>

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include <zguard/detail/bytes.hpp>
#include <zguard/detail/closed.hpp>
#include <zguard/detail/replay_window.hpp>
#include <zguard/identity.hpp>
#include <zguard/signing.hpp>
#include <zguard/slots.hpp>

namespace zguard {
inline namespace v0 {

// The queue option: vouch for each request's client with a group MAC key.
template <class A>
struct vouch_clients {
  static_assert(std::is_same_v<A, blake2b_mac>,
                "zguard::vouch_clients<Alg>: a broker vouches with a key it shares with its workers: "
                "zguard::vouch_clients<zguard::blake2b_mac>");
  using algorithm = A;
};

// The worker policy (slot::vouch): every request must carry a valid vouch.
// freshness_ms<N> (1..600000, at most once; default 10000) bounds how old a
// vouch may be, either way.
template <class A, class... Options>
struct vouched {
  static_assert(std::is_same_v<A, blake2b_mac>,
                "zguard::vouched<Alg, ...>: workers check a broker's vouch with the key they share: "
                "zguard::vouched<zguard::blake2b_mac>");
  static_assert((std::is_same_v<detail::signing_option_of<Options>, detail::freshness_option> && ...),
                "zguard::vouched<Alg, ...>: the only option is zguard::freshness_ms<N>; derived or hand-written "
                "options are refused");
  static_assert(detail::count_option<detail::freshness_option, Options...> <= 1,
                "zguard::vouched<Alg, ...>: freshness_ms given twice (a repeated option is an error, not last-wins)");
  using zguard_slot = slot::vouch;
  using algorithm = A;
  static constexpr std::uint32_t freshness = detail::option_or<detail::freshness_option, 10000, Options...>();
};

namespace detail {
// Exactly vouched<...> / vouch_clients<...>: no derived or look-alike type.
struct vouch_policies {
  static consteval bool of(...) { return false; }
  template <class A, class... Options>
  static consteval bool of(vouched<A, Options...>**) { return true; }
};
template <class V>
concept is_vouch_policy = closed_member<vouch_policies, V>;
struct vouch_client_options {
  static consteval bool of(...) { return false; }
  template <class A>
  static consteval bool of(vouch_clients<A>**) { return true; }
};
template <class V>
concept is_vouch_clients = closed_member<vouch_client_options, V>;
}  // namespace detail

template <class V>
concept VouchPolicy = detail::is_vouch_policy<V>;

// Why a worker refused a request's vouch, in the order they are checked.
enum class vouch_reason { missing, malformed, unknown_key, bad_mac, stale, replay };
inline constexpr std::string_view to_string(vouch_reason r) {
  switch (r) {
    case vouch_reason::missing: return "missing";
    case vouch_reason::malformed: return "malformed";
    case vouch_reason::unknown_key: return "unknown_key";
    case vouch_reason::bad_mac: return "bad_mac";
    case vouch_reason::stale: return "stale";
    case vouch_reason::replay: return "replay";
  }
  return "unknown";
}

namespace detail {
// docs/wire-format.md, "Broker vouch": magic "ZGV", version, algorithm,
// key id, timestamp (ms), broker epoch, sequence, identity kind, user id
// length (u16), user id, then the 32-byte MAC.
inline constexpr std::string_view vouch_tag = "zguard.vouch.v2";
inline constexpr std::uint8_t vouch_version = 2;
inline constexpr std::size_t vouch_fixed_size = 40;
inline constexpr std::size_t vouch_mac_size = 32;
inline constexpr std::size_t vouch_max_user_id = 255;  // ZAP User-Id: a CURVE key is 40, a PLAIN name 1..255
inline constexpr std::size_t vouch_key_id_size = 40;   // a CURVE key in Z85

// The identity kind byte: 0 no one (NULL front), 1 CURVE key, 2 PLAIN user.
constexpr std::uint8_t vouch_kind_byte(std::optional<identity_kind> k) {
  return !k ? 0 : *k == identity_kind::key ? 1 : 2;
}
constexpr std::optional<identity_kind> vouch_kind_from(std::uint8_t b) {
  if (b == 1) return identity_kind::key;
  if (b == 2) return identity_kind::user;
  return std::nullopt;
}
// Whether the byte names a kind and an id of n bytes fits it (a key is 40
// bytes, a user 1..255, no one has no id); else the vouch is malformed.
constexpr bool vouch_kind_fits(std::uint8_t b, std::size_t n) {
  return (b == 0 && n == 0) || (b == 1 && n == vouch_key_id_size) || (b == 2 && n >= 1 && n <= vouch_max_user_id);
}

// MAC = BLAKE2b-256(key; tag | header | u32 count | per frame: u64 size | bytes),
// integers little-endian as everywhere in zguard's formats.
template <class Frames>
std::array<std::uint8_t, vouch_mac_size> vouch_mac(std::uint8_t const* key, std::span<std::uint8_t const> header,
                                                   Frames const& payload) {
  std::array<std::uint8_t, vouch_mac_size> mac{};
  crypto_generichash_state st;
  crypto_generichash_init(&st, key, signing_key<blake2b_mac>::size, mac.size());
  crypto_generichash_update(&st, reinterpret_cast<unsigned char const*>(vouch_tag.data()), vouch_tag.size());
  crypto_generichash_update(&st, header.data(), header.size());
  std::uint8_t n[8];
  put_u32(n, std::uint32_t(std::size(payload)));
  crypto_generichash_update(&st, n, 4);
  for (auto const& f : payload) {
    auto const b = bytes_of(f);
    put_u64(n, b.size());
    crypto_generichash_update(&st, n, 8);
    crypto_generichash_update(&st, b.data(), b.size());
  }
  crypto_generichash_final(&st, mac.data(), mac.size());
  sodium_memzero(&st, sizeof st);
  return mac;
}

// The vouch frame for one request (payload: the frames after it). kind:
// the front's (identity_kind_of its mechanism).
template <class Frames>
std::string make_vouch(signing_key<blake2b_mac> const& key, std::optional<identity_kind> kind, std::string_view user_id,
                       std::uint64_t timestamp_ms, std::uint64_t epoch, std::uint64_t sequence, Frames const& payload) {
  if (!vouch_kind_fits(vouch_kind_byte(kind), user_id.size())) {
    kind.reset();  // never happens with ZAP ids (a key is 40, a user 1..255); vouch for no one
    user_id = {};
  }
  std::string out(vouch_fixed_size + user_id.size() + vouch_mac_size, '\0');
  auto* p = reinterpret_cast<std::uint8_t*>(out.data());
  p[0] = 'Z', p[1] = 'G', p[2] = 'V', p[3] = vouch_version, p[4] = blake2b_mac::wire_id;
  auto const id = key.id();
  std::copy(id.bytes.begin(), id.bytes.end(), p + 5);
  put_u64(p + 13, timestamp_ms);
  put_u64(p + 21, epoch);
  put_u64(p + 29, sequence);
  p[37] = vouch_kind_byte(kind);
  put_u16(p + 38, std::uint16_t(user_id.size()));
  std::copy(user_id.begin(), user_id.end(), out.begin() + vouch_fixed_size);
  auto const header_size = vouch_fixed_size + user_id.size();
  auto const mac = vouch_mac(key.data(), std::span<std::uint8_t const>(p, header_size), payload);
  std::copy(mac.begin(), mac.end(), p + header_size);
  return out;
}

inline std::uint64_t vouch_now_ms() {
  return std::uint64_t(std::chrono::duration_cast<std::chrono::milliseconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count());
}

// The broker's side: one key, a random epoch per run, a sequence.
class voucher {
 public:
  explicit voucher(signing_key<blake2b_mac> key) : key_(std::move(key)) {
    randombytes_buf(&epoch_, sizeof epoch_);
  }
  zmq::message_t vouch(std::optional<identity_kind> kind, std::string_view user_id,
                       std::span<zmq::message_t const> payload) {
    auto const v = make_vouch(key_, kind, user_id, vouch_now_ms(), epoch_, ++sequence_, payload);
    return zmq::message_t(v.data(), v.size());
  }

 private:
  signing_key<blake2b_mac> key_;
  std::uint64_t epoch_ = 0;
  std::uint64_t sequence_ = 0;
};

// The worker's side: key set, freshness, and a replay window per (key,
// broker epoch) for the last max_epochs broker runs.
template <std::uint32_t FreshnessMs>
class vouch_checker {
  static constexpr std::uint64_t window = 1024;
  static constexpr std::size_t max_epochs = 64;

 public:
  struct outcome {
    std::optional<vouch_reason> refused;  // empty: vouched
    std::string user_id;                  // the vouched client (claimed only, when refused)
    std::optional<identity_kind> kind;    // its kind; empty: no one (or not known, when refused)
    std::string key;                      // key id (hex) the vouch names
  };
  explicit vouch_checker(verify_keys<blake2b_mac> keys) : keys_(std::move(keys)) {}

  // frames: the vouch frame, then the request's payload frames.
  outcome check(std::span<zmq::message_t const> frames, std::uint64_t now_ms = vouch_now_ms()) {
    outcome o;
    if (frames.size() < 2) return refuse(o, vouch_reason::missing);
    auto const v = bytes_of(frames[0]);
    if (v.size() < vouch_fixed_size + vouch_mac_size || v[0] != 'Z' || v[1] != 'G' || v[2] != 'V')
      return refuse(o, vouch_reason::missing);
    // Format 1 (no kind) is malformed: its user id could be judged only by its shape.
    if (v[3] != vouch_version || v[4] != blake2b_mac::wire_id) return refuse(o, vouch_reason::malformed);
    std::size_t const n = get_u16(v.data() + 38);
    if (!vouch_kind_fits(v[37], n) || v.size() != vouch_fixed_size + n + vouch_mac_size)
      return refuse(o, vouch_reason::malformed);
    o.kind = vouch_kind_from(v[37]);
    key_id id;
    std::copy_n(v.begin() + 5, id.bytes.size(), id.bytes.begin());
    o.key = id.hex();
    o.user_id.assign(reinterpret_cast<char const*>(v.data()) + vouch_fixed_size, n);
    auto key = keys_.find(id);
    if (!key) return refuse(o, vouch_reason::unknown_key);
    auto const mac = vouch_mac(key->data(), v.first(vouch_fixed_size + n), frames.subspan(1));
    if (crypto_verify_32(mac.data(), v.data() + vouch_fixed_size + n) != 0) return refuse(o, vouch_reason::bad_mac);
    auto const ts = get_u64(v.data() + 13);
    if ((now_ms > ts ? now_ms - ts : ts - now_ms) > FreshnessMs) return refuse(o, vouch_reason::stale);
    if (!seen_.record({id, get_u64(v.data() + 21)}, get_u64(v.data() + 29))) return refuse(o, vouch_reason::replay);
    return o;
  }

 private:
  static outcome& refuse(outcome& o, vouch_reason r) {
    o.refused = r;
    return o;
  }
  verify_keys<blake2b_mac> keys_;
  // Per broker run (key, epoch), as verifier's for envelopes.
  replay_tracker<std::pair<key_id, std::uint64_t>, window> seen_{max_epochs};
};
}  // namespace detail

}  // namespace v0
}  // namespace zguard
