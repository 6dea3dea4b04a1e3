// MESSAGE[zguard::limits<...>: every argument must be one of zguard's limit tags]
// Derived from a valid tag, the value hidden: infinite timeouts on CURVE.
#include "common.hpp"
struct forever : zg::recv_timeout_ms<100> {
  static constexpr std::int64_t value = -1;
};
using bad = zg::limits<zg::send_hwm<10>, zg::recv_hwm<10>, zg::block_when_full, zg::max_message_size<1024>,
                       zg::linger_ms<0>, zg::send_timeout_ms<100>, forever, zg::handshake_timeout_ms<1000>>;
static_assert(sizeof(bad) > 0);
