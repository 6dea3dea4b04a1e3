// zguard/retry.hpp - how an asynchronous call is tried again (caller.hpp):
// at most Attempts sends of one request, the k-th resend BackoffInitialMs x
// 2^(k-1) after the attempt before it failed, never more than BackoffMaxMs.
//
//   zguard::caller<order_client, zguard::retry<4, 20, 500>> calls(dealer);
//   // sends at t, and (each attempt waiting the socket's recv_timeout_ms)
//   // again 20 ms, 40 ms and 80 ms after the attempt before timed out,
//   // all within the call's own deadline
//
// An attempt fails when no answer came within the socket's recv_timeout_ms
// or when it could not be sent at all (no peer connected yet, its pipe
// full). Every attempt of one call carries the same call id, so an answer
// to an earlier attempt completes the call too; a request must therefore be
// one the service may see more than once (as for call(), which also sends
// again). A closed vocabulary: only zguard::retry<...> fills the place.
#pragma once

#include <chrono>
#include <cstdint>

#include <zguard/detail/closed.hpp>

namespace zguard {
inline namespace v0 {

namespace bounds {
inline constexpr int max_call_attempts = 16;
inline constexpr int max_backoff_ms = 600'000;
}  // namespace bounds

// Attempts: 1..16 (1: no resend). BackoffInitialMs: 1..600000, the wait
// before the first resend; BackoffMaxMs: BackoffInitialMs..600000, the
// longest wait between two attempts.
template <int Attempts, int BackoffInitialMs, int BackoffMaxMs>
struct retry {
  static_assert(Attempts >= 1 && Attempts <= bounds::max_call_attempts,
                "zguard::retry<Attempts, BackoffInitialMs, BackoffMaxMs>: Attempts must be >= 1 (a call is sent at "
                "least once) and <= 16: range 1..16");
  static_assert(BackoffInitialMs >= 1 && BackoffInitialMs <= bounds::max_backoff_ms,
                "zguard::retry<Attempts, BackoffInitialMs, BackoffMaxMs>: BackoffInitialMs must be >= 1 (a resend "
                "at once is a flood) and <= 600000: range 1..600000 ms");
  static_assert(BackoffMaxMs >= BackoffInitialMs && BackoffMaxMs <= bounds::max_backoff_ms,
                "zguard::retry<Attempts, BackoffInitialMs, BackoffMaxMs>: BackoffMaxMs must be >= BackoffInitialMs "
                "and <= 600000 ms");
  static constexpr int attempts = Attempts;
  static constexpr std::chrono::milliseconds backoff_initial{BackoffInitialMs};
  static constexpr std::chrono::milliseconds backoff_max{BackoffMaxMs};

  // The wait before attempt failed + 1, after `failed` (1..) attempts failed.
  static constexpr std::chrono::milliseconds backoff(int failed) {
    std::int64_t ms = BackoffInitialMs;
    for (int k = 1; k < failed && ms < BackoffMaxMs; ++k) ms *= 2;
    return std::chrono::milliseconds(ms < BackoffMaxMs ? ms : BackoffMaxMs);
  }
};

// No retry: one attempt (a caller's default).
using no_retry = retry<1, 1, 1>;

namespace detail {
// Exactly zguard::retry<...>; a derived or hand-written policy is refused.
struct retry_tags {
  static consteval bool of(...) { return false; }
  template <int A, int I, int M>
  static consteval bool of(retry<A, I, M>**) { return true; }
};
template <class R>
concept is_retry_tag = closed_member<retry_tags, R>;
}  // namespace detail

}  // namespace v0
}  // namespace zguard
