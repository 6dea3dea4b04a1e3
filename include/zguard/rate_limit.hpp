// zguard/rate_limit.hpp - per-peer token buckets (G14).
//
// One bucket per authenticated peer, refilled at `per_second` tokens a
// second up to `burst`; a message takes a token or is refused. The table is
// bounded: past max_peers the least recently seen half is forgotten (a
// forgotten peer starts again with a full bucket, which is the same as a
// peer that was quiet for burst/per_second seconds).
#pragma once

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace zguard {
inline namespace v0 {
namespace detail {

class token_buckets {
 public:
  using clock = std::chrono::steady_clock;
  static constexpr std::size_t max_peers = 65536;

  token_buckets(double per_second, double burst) : per_second_(per_second), burst_(burst) {}

  bool admit(std::string_view peer, clock::time_point now = clock::now()) {
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
  std::size_t peers() const { return buckets_.size(); }

 private:
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
