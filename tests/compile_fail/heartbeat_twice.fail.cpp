// MESSAGE[zguard::limits<...>: heartbeat given twice]
#include "common.hpp"
using Z = zg::limits<zg::heartbeat<1000, 3000, 5000>, zg::heartbeat<60000, 600000, 600000>>;
static_assert(sizeof(Z) > 0);
