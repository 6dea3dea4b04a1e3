// MESSAGE[zguard::limits<...>: every argument must be one of zguard's limit tags]
// A hand-written HWM of 0 (unlimited in libzmq) past send_hwm<N>'s check.
#include "common.hpp"
struct zero_hwm {
  using limit = zg::limit_slot::send_hwm;
  static constexpr std::int64_t value = 0;
};
using bad = zg::limits<zero_hwm, zg::recv_hwm<10>, zg::block_when_full, zg::max_message_size<1024>, zg::linger_ms<0>,
                       zg::send_timeout_ms<100>, zg::recv_timeout_ms<100>, zg::handshake_timeout_ms<1000>>;
static_assert(sizeof(bad) > 0);
