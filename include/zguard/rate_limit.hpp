// zguard/rate_limit.hpp - per-peer token buckets (G14).
//
// One bucket per peer (rate_peer: who that is), refilled at `per_second`
// tokens a second up to `burst`; a message takes a token or is refused,
// however it is framed: a batch of n messages takes n. The table is
// bounded: past max_peers the least recently seen half is forgotten (a
// forgotten peer starts again with a full bucket, which is the same as a
// peer that was quiet for burst/per_second seconds).
#pragma once

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace zguard {
inline namespace v0 {
namespace detail {

// Who a rate limit counts as one peer (G14). The authenticated identity
// when there is one (the ZAP User-Id: a CURVE key or a PLAIN user; one
// socket has one mechanism, so the kind is the socket's). On NULL, the
// address libzmq gives: on tcp the IP (without the port, which a peer
// picks); on ipc libzmq's SO_PEERCRED text "host:uid:gid:pid", of which
// only "host:uid" is kept: a user can start processes at will (each a new
// pid) and change its gid among its groups, but not its uid. So every
// process of one OS user shares one bucket; a peer without credentials
// ("localhost") shares the one of all such peers.
inline std::string_view rate_peer(std::string_view user_id, std::string_view address, bool ipc) {
  if (!user_id.empty()) return user_id;
  if (!ipc) return address;
  auto const host_end = address.find(':');
  if (host_end == std::string_view::npos) return address;
  auto const uid_end = address.find(':', host_end + 1);
  return address.substr(0, uid_end);
}

class token_buckets {
 public:
  using clock = std::chrono::steady_clock;
  static constexpr std::size_t max_peers = 65536;

  token_buckets(double per_second, double burst) : per_second_(per_second), burst_(burst) {}

  // One message: takes a token, or false.
  bool admit(std::string_view peer, clock::time_point now = clock::now()) { return take(peer, 1, now) == 1; }

  // n messages the receiver can hand out one by one (the rest of a batch):
  // takes a token for each it can, and says how many (0 .. n).
  std::size_t take(std::string_view peer, std::size_t n, clock::time_point now = clock::now()) {
    auto& b = refilled(peer, now);
    auto const taken = std::min(n, std::size_t(std::max(0.0, b.tokens)));
    b.tokens -= double(taken);
    return taken;
  }

  // n messages that pass whole or not at all (a proxy cannot cut a signed
  // batch): they pass while the peer holds a token, and all n are paid; a
  // bucket left below zero refuses the peer until refills repay it. So
  // over any time t the peer gets at most burst + rate * t, plus once the
  // overdraft of one such frame (n - 1).
  bool charge(std::string_view peer, std::size_t n, clock::time_point now = clock::now()) {
    auto& b = refilled(peer, now);
    if (b.tokens < 1.0) return false;
    b.tokens -= double(n);
    return true;
  }
  std::size_t peers() const { return buckets_.size(); }

 private:
  struct bucket {
    double tokens;  // below zero after an overdraft (charge)
    clock::time_point refilled;
    std::uint64_t last_used;
  };
  bucket& refilled(std::string_view peer, clock::time_point now) {
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
