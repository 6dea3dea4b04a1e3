// zguard/rate_limit.hpp - per-peer token buckets (G14).
//
// One bucket per peer (bucket_of: who that is), refilled at `per_second`
// tokens a second up to `burst`; a message takes a token or is refused,
// however it is framed: a batch of n messages takes n. A peer is its
// identity with its kind (identity.hpp: a CURVE key and a PLAIN user of
// the same text are two peers), or the address of one no one authenticated
// (NULL), never the same bucket as an identity. The table is bounded: past
// max_peers the least recently seen half is forgotten (a forgotten peer
// starts again with a full bucket, which is the same as a peer that was
// quiet for burst/per_second seconds).
#pragma once

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>

#include <zguard/identity.hpp>

namespace zguard {
inline namespace v0 {
namespace detail {

// The address part of a peer that no one authenticated (G14). On tcp the
// IP (without the port, which a peer picks); on ipc libzmq's SO_PEERCRED
// text "host:uid:gid:pid", of which only "host:uid" is kept: a user can
// start processes at will (each a new pid) and change its gid among its
// groups, but not its uid. So every process of one OS user shares one
// bucket; a peer without credentials ("localhost") shares the one of all
// such peers. An authenticated User-Id, when given, is the peer itself.
inline std::string_view rate_peer(std::string_view user_id, std::string_view address, bool ipc) {
  if (!user_id.empty()) return user_id;
  if (!ipc) return address;
  auto const host_end = address.find(':');
  if (host_end == std::string_view::npos) return address;
  auto const uid_end = address.find(':', host_end + 1);
  return address.substr(0, uid_end);
}

// Whose bucket a message takes.
struct bucket_id {
  constexpr bucket_id(std::string_view address) : text(address) {}  // NOLINT: no one authenticated
  constexpr bucket_id(std::optional<identity_kind> k, std::string_view t) : kind(k), text(t) {}
  std::optional<identity_kind> kind;  // empty: `text` is an address
  std::string_view text;
};
// On a socket whose mechanism is m: the peer's User-Id as the kind m
// authenticates, else (NULL, or no User-Id: a client's view of its server)
// its address as rate_peer keeps it.
inline bucket_id bucket_of(mechanism_kind m, std::string_view user_id, std::string_view address, bool ipc) {
  if (auto const kind = identity_kind_of(m); kind && !user_id.empty()) return {kind, user_id};
  return bucket_id(rate_peer({}, address, ipc));
}

class token_buckets {
  struct bucket;

 public:
  using clock = std::chrono::steady_clock;
  static constexpr std::size_t max_peers = 65536;

  token_buckets(double per_second, double burst) : per_second_(per_second), burst_(burst) {}

  // One message: takes a token, or false.
  bool admit(bucket_id peer, clock::time_point now = clock::now()) { return take(peer, 1, now) == 1; }

  // n messages the receiver can hand out one by one (the rest of a batch):
  // takes a token for each it can, and says how many (0 .. n).
  std::size_t take(bucket_id peer, std::size_t n, clock::time_point now = clock::now()) {
    return with_bucket(peer, now, [&](bucket& b) {
      auto const taken = std::min(n, std::size_t(std::max(0.0, b.tokens)));
      b.tokens -= double(taken);
      return taken;
    });
  }

  // n messages that pass whole or not at all (a proxy cannot cut a signed
  // batch): they pass while the peer holds a token, and all n are paid; a
  // bucket left below zero refuses the peer until refills repay it. So
  // over any time t the peer gets at most burst + rate * t, plus once the
  // overdraft of one such frame (n - 1).
  bool charge(bucket_id peer, std::size_t n, clock::time_point now = clock::now()) {
    return with_bucket(peer, now, [&](bucket& b) {
      if (b.tokens < 1.0) return false;
      b.tokens -= double(n);
      return true;
    });
  }
  // How long until the peer holds a token again (0 when it holds one now),
  // rounded up to whole milliseconds: what a refused peer is told to wait.
  std::chrono::milliseconds retry_after(bucket_id peer, clock::time_point now = clock::now()) {
    return with_bucket(peer, now, [&](bucket& b) {
      if (b.tokens >= 1.0) return std::chrono::milliseconds(0);
      return std::chrono::milliseconds(std::int64_t(std::ceil((1.0 - b.tokens) / per_second_ * 1000.0)));
    });
  }

  std::size_t peers() const { return buckets_.size(); }

 private:
  struct bucket {
    double tokens;  // below zero after an overdraft (charge)
    clock::time_point refilled;
    std::uint64_t last_used;
  };
  // The table's key: a kind byte, then the text; made on the stack for the
  // texts peers have (a User-Id is at most 255 bytes).
  template <class F>
  std::invoke_result_t<F&, bucket&> with_bucket(bucket_id peer, clock::time_point now, F&& f) {
    char const kind = !peer.kind ? 'a' : *peer.kind == identity_kind::key ? 'k' : 'u';
    std::array<char, 256> room;
    if (peer.text.size() >= room.size()) return f(refilled(std::string(1, kind).append(peer.text), now));
    room[0] = kind;
    if (!peer.text.empty()) std::memcpy(room.data() + 1, peer.text.data(), peer.text.size());
    return f(refilled(std::string_view(room.data(), 1 + peer.text.size()), now));
  }
  bucket& refilled(std::string_view key, clock::time_point now) {
    auto it = buckets_.find(key);  // no string made for a known peer
    if (it == buckets_.end()) {
      if (buckets_.size() >= max_peers) forget_oldest_half();
      it = buckets_.emplace(std::string(key), bucket{burst_, now, 0}).first;
    }
    auto& b = it->second;
    b.last_used = ++tick_;
    double const elapsed = std::chrono::duration<double>(now - b.refilled).count();
    b.tokens = std::min(burst_, b.tokens + std::max(0.0, elapsed) * per_second_);
    b.refilled = now;
    return b;
  }
  void forget_oldest_half() {
    std::uint64_t const cut = tick_ - buckets_.size() / 2;
    std::erase_if(buckets_, [&](auto const& kv) { return kv.second.last_used <= cut; });
  }
  double per_second_, burst_;
  struct text_hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, bucket, text_hash, std::equal_to<>> buckets_;
  std::uint64_t tick_ = 0;
};

}  // namespace detail
}  // namespace v0
}  // namespace zguard
