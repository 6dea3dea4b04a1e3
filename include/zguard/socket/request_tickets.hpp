// zguard/socket/request_tickets.hpp - one answer per request: a service
// (REP, ROUTER) numbers each request it hands out (1, 2, ...) under its own
// owner id, and an answer goes out only for a request of this socket that
// it handed out and did not answer yet. A delivery carries both, so one
// socket cannot answer another's request (their numbers collide: each
// counts from 1). The answered numbers are kept in the replay window signed
// envelopes use (detail/replay_window.hpp): a fixed bitmap, no allocation
// per request. A REP holds one request at a time: its answer is to the
// newest.
#pragma once

#include <atomic>
#include <cstdint>
#include <string_view>

#include <zguard/detail/replay_window.hpp>

namespace zguard {
inline namespace v0 {
namespace detail {

// Owner ids, unique in the process (deliveries do not leave it).
inline std::uint64_t next_ticket_owner() {
  static std::atomic<std::uint64_t> last{0};
  return last.fetch_add(1, std::memory_order_relaxed) + 1;
}

// Window: how many numbers behind the newest answered one a request may be
// and still be answered (a ROUTER's requests may be answered in any order).
template <std::uint64_t Window>
class request_tickets {
 public:
  static constexpr std::uint64_t window = Window;

  std::uint64_t owner() const { return owner_; }
  // The number of the request being handed out.
  std::uint64_t issue() { return ++issued_; }
  // The newest number handed out (0: none yet).
  std::uint64_t newest() const { return issued_; }

  // Takes the answer to request `n` of `owner`: empty when it may go out
  // (it is then answered), else why not. only_newest: a REP, which holds
  // one request.
  std::string_view take(std::uint64_t owner, std::uint64_t n, bool only_newest) {
    if (owner != owner_ || n == 0 || n > issued_) return "not a request this socket handed out";
    if (only_newest && n != issued_) return "not the request this REP holds (it answers the newest only)";
    if (!answered_.record(run{}, n)) return "answered already, or too far behind the newest answered";
    return {};
  }

 private:
  struct run {  // one numbering per socket
    friend bool operator<(run, run) { return false; }
  };
  std::uint64_t owner_ = next_ticket_owner();
  std::uint64_t issued_ = 0;
  replay_tracker<run, Window> answered_{1};
};

}  // namespace detail
}  // namespace v0
}  // namespace zguard
