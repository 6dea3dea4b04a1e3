// MESSAGE[IvlMs must be >= 100 \(0 turns heartbeats off\).*range 100\.\.300000 ms]
#include "common.hpp"
using Z = zg::limits<zg::heartbeat<0, 3000, 5000>>;
static_assert(sizeof(Z) > 0);
