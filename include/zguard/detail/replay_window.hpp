// zguard/detail/replay_window.hpp - the anti-replay window signed envelopes
// (envelope.hpp, verifier) and broker vouches (vouch.hpp, vouch_checker)
// share.
//
// A sender run (Run: a key and the sender's random epoch) numbers its
// messages 1, 2, ...; the receiver keeps, per run, the highest sequence seen
// and a bitmap of the Window sequences before it, as IPsec's anti-replay
// window (RFC 4303, 3.4.3). A sequence seen before, or Window or more behind
// the highest, is a replay. At most max_runs runs are kept: a new run past
// that forgets the least recently used one (its old messages are then
// stopped by the caller's freshness check, not here). Named apart from
// zguard::replay_window<N>, the signing option that sizes it.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <map>

namespace zguard {
inline namespace v0 {
namespace detail {

template <class Run, std::uint64_t Window>
class replay_tracker {
  static_assert(Window >= 64 && Window % 64 == 0, "zguard::detail::replay_tracker: Window is a multiple of 64");

 public:
  // max_runs 0 is taken as 1: the run just seen is always kept.
  explicit replay_tracker(std::size_t max_runs) : max_runs_(max_runs ? max_runs : 1) {}

  // Whether `sequence` of `run` is new (then it is recorded) or a replay.
  // `stamp` (optional: a time the caller trusts, such as a message's
  // sent-at no later than its own clock) is kept per run, its newest; the
  // newest stamp of any forgotten run is forgotten_stamp().
  bool record(Run const& run, std::uint64_t sequence, std::uint64_t stamp = 0) {
    auto it = runs_.find(run);
    if (it == runs_.end()) {
      if (runs_.size() >= max_runs_) forget_least_recent();
      it = runs_.emplace(run, state{}).first;
      it->second.highest = sequence;
      it->second.set(sequence);
      it->second.last_used = ++tick_;
      it->second.stamp = stamp;
      return true;
    }
    auto& r = it->second;
    r.last_used = ++tick_;  // a replay counts as use too: the run is live
    r.stamp = std::max(r.stamp, stamp);
    if (sequence > r.highest) {
      // Slide: the bits the window moves past are cleared (at most all of them).
      auto const steps = std::min<std::uint64_t>(sequence - r.highest, Window);
      for (std::uint64_t k = 1; k <= steps; ++k) r.clear(r.highest + k);
      r.highest = sequence;
      r.set(sequence);
      return true;
    }
    if (r.highest - sequence >= Window || r.test(sequence)) return false;
    r.set(sequence);
    return true;
  }

  std::size_t runs() const { return runs_.size(); }
  bool known(Run const& run) const { return runs_.count(run) != 0; }
  std::uint64_t forgotten_stamp() const { return forgotten_stamp_; }

 private:
  struct state {
    std::uint64_t highest = 0;
    std::uint64_t last_used = 0;
    std::uint64_t stamp = 0;
    std::array<std::uint64_t, Window / 64> seen{};
    bool test(std::uint64_t s) const { return seen[(s % Window) / 64] >> (s % 64) & 1u; }
    void set(std::uint64_t s) { seen[(s % Window) / 64] |= std::uint64_t(1) << (s % 64); }
    void clear(std::uint64_t s) { seen[(s % Window) / 64] &= ~(std::uint64_t(1) << (s % 64)); }
  };

  void forget_least_recent() {
    auto oldest = runs_.begin();
    for (auto i = runs_.begin(); i != runs_.end(); ++i)
      if (i->second.last_used < oldest->second.last_used) oldest = i;
    forgotten_stamp_ = std::max(forgotten_stamp_, oldest->second.stamp);
    runs_.erase(oldest);
  }

  std::size_t max_runs_;
  std::map<Run, state> runs_;
  std::uint64_t tick_ = 0;
  std::uint64_t forgotten_stamp_ = 0;
};

}  // namespace detail
}  // namespace v0
}  // namespace zguard
