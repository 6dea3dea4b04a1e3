// MESSAGE[TtlMs must be a multiple of 100 \(libzmq keeps it in deciseconds\)]
// 1050 ms would read back as 1000 ms: the declared and the applied value would differ.
#include "common.hpp"
using Z = zg::limits<zg::heartbeat<1000, 3000, 1050>>;
static_assert(sizeof(Z) > 0);
