// MESSAGE[TimeoutMs must be >= 100 and <= 600000.*range 100\.\.600000 ms]
#include "common.hpp"
using Z = zg::limits<zg::heartbeat<1000, 3600000, 5000>>;
static_assert(sizeof(Z) > 0);
