// zguard/ranged_limits.hpp - the ranged twins of the limit tags
// (send_hwm_in<Lo, Hi>, ...) and runtime_limits, the values chosen for them
// at start-up (docs/configuration.md).
//
// Apart from limits.hpp (which includes it): a range in the type and a
// value given at start-up are one concept, read by the socket's
// constructor and config.hpp, while the fixed tags never need it.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>

#include <zguard/limit_tags.hpp>

namespace zguard {
inline namespace v0 {

// Ranged twins: the type declares the range, a configuration file (or the
// program) picks the value at start-up, passed as a zguard::runtime_limits
// constructor argument and checked against [Lo, Hi] before any option is
// set (docs/configuration.md). Lo and Hi obey the fixed tag's bounds. There
// is no max_message_size_in: the size rules (schema, batch, CURVE handshake,
// pipeline links) would need Lo on the receiving side and Hi on the sending
// side of one number, so it stays a type.
namespace detail {
template <class Slot, std::int64_t Lo, std::int64_t Hi>
struct limit_range {
  using limit = Slot;
  static constexpr std::int64_t lo = Lo;
  static constexpr std::int64_t hi = Hi;
  // Compile-time stand-in (the largest value the socket may be given): what
  // limits<...>::send_timeout etc. hold for a ranged slot.
  static constexpr std::int64_t value = Hi;
  static constexpr bool ranged = true;
};
}  // namespace detail
template <int Lo, int Hi>
struct send_hwm_in : detail::limit_range<limit_slot::send_hwm, Lo, Hi> {
  static_assert(Lo <= Hi, "zguard::send_hwm_in<Lo, Hi>: Lo must be <= Hi");
  static_assert(Lo > 0 && Hi <= bounds::max_hwm,
                "zguard::send_hwm_in<Lo, Hi>: Lo must be > 0 (0 means unlimited in libzmq) and Hi <= 10000000: "
                "range 1..10000000");
};
template <int Lo, int Hi>
struct recv_hwm_in : detail::limit_range<limit_slot::recv_hwm, Lo, Hi> {
  static_assert(Lo <= Hi, "zguard::recv_hwm_in<Lo, Hi>: Lo must be <= Hi");
  static_assert(Lo > 0 && Hi <= bounds::max_hwm,
                "zguard::recv_hwm_in<Lo, Hi>: Lo must be > 0 (0 means unlimited in libzmq) and Hi <= 10000000: "
                "range 1..10000000");
};
template <int Lo, int Hi>
struct linger_ms_in : detail::limit_range<limit_slot::linger, Lo, Hi> {
  static_assert(Lo <= Hi, "zguard::linger_ms_in<Lo, Hi>: Lo must be <= Hi");
  static_assert(Lo >= 0 && Hi <= bounds::max_linger_ms,
                "zguard::linger_ms_in<Lo, Hi>: Lo must be >= 0 (-1 would block context shutdown forever) and "
                "Hi <= 60000: range 0..60000 ms");
};
template <int Lo, int Hi>
struct send_timeout_ms_in : detail::limit_range<limit_slot::send_timeout, Lo, Hi> {
  static_assert(Lo <= Hi, "zguard::send_timeout_ms_in<Lo, Hi>: Lo must be <= Hi");
  static_assert(Lo >= 0 && Hi <= bounds::max_timeout_ms,
                "zguard::send_timeout_ms_in<Lo, Hi>: Lo must be >= 0 (-1 would block forever) and Hi <= 600000: "
                "range 0..600000 ms");
};
template <int Lo, int Hi>
struct recv_timeout_ms_in : detail::limit_range<limit_slot::recv_timeout, Lo, Hi> {
  static_assert(Lo <= Hi, "zguard::recv_timeout_ms_in<Lo, Hi>: Lo must be <= Hi");
  static_assert(Lo >= 0 && Hi <= bounds::max_timeout_ms,
                "zguard::recv_timeout_ms_in<Lo, Hi>: Lo must be >= 0 (-1 would block forever) and Hi <= 600000: "
                "range 0..600000 ms");
};

// A per-peer rate chosen at start-up: the rate within [RateLo, RateHi]
// messages a second, the burst within [BurstLo, BurstHi] (keys
// rate_per_second and rate_burst). Otherwise as per_peer_rate<R, B>.
template <int RateLo, int RateHi, int BurstLo, int BurstHi>
struct per_peer_rate_in : detail::limit_range<limit_slot::per_peer_rate, RateLo, RateHi> {
  static_assert(RateLo <= RateHi && BurstLo <= BurstHi,
                "zguard::per_peer_rate_in<RateLo, RateHi, BurstLo, BurstHi>: each Lo must be <= its Hi");
  static_assert(RateLo > 0 && BurstLo > 0 && RateHi <= bounds::max_rate && BurstHi <= bounds::max_rate,
                "zguard::per_peer_rate_in<RateLo, RateHi, BurstLo, BurstHi>: rates and bursts must be > 0 (0 would "
                "refuse everyone) and <= 1000000: range 1..1000000");
  static constexpr std::int64_t burst = BurstHi;  // compile-time stand-in, as value is RateHi
  static constexpr std::int64_t burst_lo = BurstLo;
  static constexpr std::int64_t burst_hi = BurstHi;
};

namespace detail {
// A tag whose value is chosen at start-up (a *_in<Lo, Hi> tag); only read
// of zguard's own tags.
template <class T>
concept is_ranged_limit = requires { requires T::ranged; };
}  // namespace detail

// The values a socket with ranged limit tags (*_in<Lo, Hi>) is given at
// start-up: one for each ranged tag it declares, none for any other slot (a
// value for a fixed or undeclared slot is refused, so a misplaced setting
// never passes silently). Passed right after the mechanism's constructor
// arguments; zguard::config::limits_for<Socket> reads one from a file.
// `source` names where the values came from, for error messages.
struct runtime_limits {
  std::optional<std::int64_t> send_hwm{};
  std::optional<std::int64_t> recv_hwm{};
  std::optional<std::int64_t> linger_ms{};
  std::optional<std::int64_t> send_timeout_ms{};
  std::optional<std::int64_t> recv_timeout_ms{};
  std::optional<std::int64_t> rate_per_second{};  // per_peer_rate_in: messages a second per peer
  std::optional<std::int64_t> rate_burst{};       // per_peer_rate_in: at once
  std::string source = "zguard::runtime_limits";
};

// A runtime_limits value missing, out of its type's range, or given for a
// slot the type does not make configurable. Thrown by the socket's
// constructor, before any option is set.
struct runtime_limit_error : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

}  // namespace v0
}  // namespace zguard
