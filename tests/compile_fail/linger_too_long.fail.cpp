// MESSAGE[zguard::linger_ms<Ms>: .*range 0..60000 ms]
#include "common.hpp"
using bad = zg::limits<zg::linger_ms<3600000>>;
static_assert(sizeof(bad) > 0);
