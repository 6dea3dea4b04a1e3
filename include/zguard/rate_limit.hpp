// zguard/rate_limit.hpp - per-peer token buckets (G14).
//
// One bucket per authenticated peer, refilled at `per_second` tokens a
// second up to `burst`; a message takes a token or is refused. A peer is
// its identity with its kind (identity.hpp: a CURVE key and a PLAIN user
// of the same text are two peers), or the address of one no one
// authenticated (NULL), never the same bucket as an identity. The table is
// bounded: past max_peers the least recently seen half is forgotten (a
// forgotten peer starts again with a full bucket, which is the same as a
// peer that was quiet for burst/per_second seconds).
#pragma once

#include <algorithm>
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include <zguard/identity.hpp>

namespace zguard {
inline namespace v0 {
namespace detail {

// Whose bucket a message takes.
struct bucket_id {
  std::optional<identity_kind> kind;  // empty: `text` is an address
  std::string_view text;
};
// On a socket whose mechanism is m: the peer's User-Id as the kind m
// authenticates, else (NULL, or no User-Id: a client's view of its server)
// its address.
constexpr bucket_id bucket_of(mechanism_kind m, std::string_view user_id, std::string_view address) {
  if (auto const kind = identity_kind_of(m); kind && !user_id.empty()) return {kind, user_id};
  return {std::nullopt, address};
}

class token_buckets {
 public:
  using clock = std::chrono::steady_clock;
  static constexpr std::size_t max_peers = 65536;

  token_buckets(double per_second, double burst) : per_second_(per_second), burst_(burst) {}

  bool admit(bucket_id peer, clock::time_point now = clock::now()) {
    // The table's key: a kind byte, then the text; made on the stack for
    // the texts peers have (a User-Id is at most 255 bytes).
    char const kind = !peer.kind ? 'a' : *peer.kind == identity_kind::key ? 'k' : 'u';
    std::array<char, 256> room;
    if (peer.text.size() >= room.size()) return admit_key(std::string(1, kind).append(peer.text), now);
    room[0] = kind;
    if (!peer.text.empty()) std::memcpy(room.data() + 1, peer.text.data(), peer.text.size());
    return admit_key(std::string_view(room.data(), 1 + peer.text.size()), now);
  }
  std::size_t peers() const { return buckets_.size(); }

 private:
  bool admit_key(std::string_view peer, clock::time_point now) {
    auto it = buckets_.find(peer);  // no string made for a known peer
    if (it == buckets_.end()) {
      if (buckets_.size() >= max_peers) forget_oldest_half();
      it = buckets_.emplace(std::string(peer), bucket{burst_, now, 0}).first;
    }
    auto& b = it->second;
    b.last_used = ++tick_;
    double const elapsed = std::chrono::duration<double>(now - b.refilled).count();
    b.tokens = std::min(burst_, b.tokens + std::max(0.0, elapsed) * per_second_);
    b.refilled = now;
    if (b.tokens < 1.0) return false;
    b.tokens -= 1.0;
    return true;
  }
  struct bucket {
    double tokens;
    clock::time_point refilled;
    std::uint64_t last_used;
  };
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
