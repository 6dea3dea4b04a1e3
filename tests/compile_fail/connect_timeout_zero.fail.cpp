// MESSAGE[connect_timeout_ms<Ms>: Ms must be >= 1 \(0 leaves it to the system.s SYN retries\).*range 1\.\.120000 ms]
#include "common.hpp"
using Z = zg::limits<zg::connect_timeout_ms<0>>;
static_assert(sizeof(Z) > 0);
