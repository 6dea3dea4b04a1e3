// MESSAGE[zguard::limits<...>: every argument must be one of zguard's limit tags .*derived or hand-written tags are refused]
#include "common.hpp"
// A derived ranged tag could widen the range it claims; only zguard's own count.
struct wide_hwm : zg::send_hwm_in<1, 10> {
  static constexpr std::int64_t hi = 100'000'000;
};
using Z = zg::limits<wide_hwm>;
static_assert(sizeof(Z) > 0);
