// MESSAGE[zguard::send_timeout_ms<Ms>: .*range 0..600000 ms]
#include "common.hpp"
using bad = zg::limits<zg::send_timeout_ms<2147483647>>;
static_assert(sizeof(bad) > 0);
