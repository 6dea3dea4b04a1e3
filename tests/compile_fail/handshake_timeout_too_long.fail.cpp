// MESSAGE[zguard::handshake_timeout_ms<Ms>: .*range 1..60000 ms]
#include "common.hpp"
using bad = zg::limits<zg::handshake_timeout_ms<86400000>>;
static_assert(sizeof(bad) > 0);
