// MESSAGE[zguard::signing<Alg, ...>: replay_window given twice]
#include "common.hpp"
static_assert(zg::signing<zg::blake2b_mac, zg::replay_window<64>, zg::replay_window<65536>>::window > 0);
