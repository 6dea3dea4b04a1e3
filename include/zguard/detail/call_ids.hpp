// zguard/detail/call_ids.hpp - the correlated form of a service message
// (docs/wire-format.md, "Correlated calls"): a call id in front of the
// schema message, inside the one frame (and so inside the signed payload on
// a signed channel), and the ids a caller draws.
//
//   correlated = 0x82 || call id (u64 LE, not 0) || schema message
//
// A caller (caller.hpp) sends its requests so; a REP or ROUTER service
// answers a correlated request with a correlated answer carrying the same
// id, and an uncorrelated one (a REQ's) as before.
#pragma once

#include <sodium.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include <zguard/detail/bytes.hpp>

namespace zguard {
inline namespace v0 {
namespace detail {

inline constexpr std::uint8_t correlated_format = 0x82;
inline constexpr std::size_t call_id_prefix_size = 9;

inline void write_call_prefix(std::uint8_t* at, std::uint64_t id) {
  at[0] = correlated_format;
  put_u64(at + 1, id);
}

// A message's call id and the schema message after it.
struct correlated_view {
  std::uint64_t id = 0;
  std::span<std::uint8_t const> message;
};
// What a payload says about its call id: nullopt when it is not in the
// correlated form (its first byte is not 0x82); id 0 when it is but its id
// is cut short or 0 (malformed: refused).
inline std::optional<correlated_view> read_call_prefix(std::span<std::uint8_t const> payload) {
  if (payload.empty() || payload[0] != correlated_format) return std::nullopt;
  if (payload.size() < call_id_prefix_size) return correlated_view{};
  return correlated_view{get_u64(payload.data() + 1), payload.subspan(call_id_prefix_size)};
}

// One caller's ids: a random start, then +1; never 0. Unique per caller
// (a restarted client draws a new start, as an envelope's epoch).
class call_id_source {
 public:
  call_id_source() {
    randombytes_buf(&next_, sizeof next_);
    next_ &= ~(std::uint64_t(1) << 63);  // room to count before wrapping
  }
  std::uint64_t next() {
    if (++next_ == 0) ++next_;
    if (issued_ == 0) first_ = next_;
    ++issued_;
    return next_;
  }
  // Whether this source drew `id` (within the numbers it counted).
  bool drew(std::uint64_t id) const { return issued_ != 0 && id - first_ < issued_; }

 private:
  std::uint64_t next_ = 0, first_ = 0, issued_ = 0;
};

}  // namespace detail
}  // namespace v0
}  // namespace zguard
