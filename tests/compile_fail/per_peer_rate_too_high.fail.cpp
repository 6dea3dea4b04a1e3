// MESSAGE[zguard::per_peer_rate<PerSecond, Burst>: both must be > 0 and <= 1000000: range 1..1000000]
#include "common.hpp"
using bad = zg::limits<zg::per_peer_rate<100, 2000000000>>;
static_assert(sizeof(bad) > 0);
