// MESSAGE[zguard::limits<...>: every argument must be one of zguard's limit tags]
// Derived from a valid tag, the interval hidden: heartbeats off.
#include "common.hpp"
struct no_heartbeat : zg::heartbeat<1000, 3000, 5000> {
  static constexpr int interval_ms = 0;
};
using bad = zg::limits<zg::send_hwm<10>, zg::recv_hwm<10>, zg::block_when_full, zg::max_message_size<1024>,
                       zg::linger_ms<0>, zg::send_timeout_ms<100>, zg::recv_timeout_ms<100>,
                       zg::handshake_timeout_ms<1000>, no_heartbeat>;
static_assert(sizeof(bad) > 0);
