// MESSAGE[zguard::signing<Alg, ...>: freshness_ms given twice \(a repeated option is an error, not last-wins\)]
#include "common.hpp"
static_assert(zg::signing<zg::ed25519, zg::freshness_ms<1000>, zg::replay_window<128>, zg::freshness_ms<600000>>::freshness > 0);
