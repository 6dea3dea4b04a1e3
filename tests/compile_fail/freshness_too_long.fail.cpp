// MESSAGE[zguard::freshness_ms<N>: N must be in 1..600000 ms]
#include "common.hpp"
static_assert(zg::signing<zg::ed25519, zg::freshness_ms<4000000000u>>::freshness > 0);
