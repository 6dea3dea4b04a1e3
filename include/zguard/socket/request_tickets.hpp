// zguard/socket/request_tickets.hpp - one answer per request: a service
// (REP, ROUTER) numbers each request it hands out (1, 2, ...), and an
// answer goes out only for a number it handed out and did not answer yet.
// The answered numbers are kept in the replay window signed envelopes use
// (detail/replay_window.hpp): a fixed bitmap, no allocation per request.
// A REP holds one request at a time, so its answer must be to the newest.
#pragma once

#include <cstdint>
#include <string_view>

#include <zguard/detail/replay_window.hpp>

namespace zguard {
inline namespace v0 {
namespace detail {

class request_tickets {
 public:
  // How far behind the newest answered request an unanswered one may fall
  // and still be answered.
  static constexpr std::uint64_t window = 4096;

  // The number of the request being handed out.
  std::uint64_t issue() { return ++issued_; }
  // The newest number handed out (0: none yet).
  std::uint64_t newest() const { return issued_; }

  // Takes the answer to request `n`: empty when it may go out (it is then
  // answered), else why not. only_newest: a REP, which holds one request.
  std::string_view take(std::uint64_t n, bool only_newest) {
    if (n == 0 || n > issued_) return "not a request this socket received";
    if (only_newest && n != issued_) return "not the request this REP holds (it answers the newest only)";
    if (!answered_.record(run{}, n)) return "answered already, or 4096 or more answers behind";
    return {};
  }

 private:
  struct run {  // one numbering per socket
    friend bool operator<(run, run) { return false; }
  };
  std::uint64_t issued_ = 0;
  replay_tracker<run, window> answered_{1};
};

}  // namespace detail
}  // namespace v0
}  // namespace zguard
