// MESSAGE[zguard::vouched<Alg, ...>: freshness_ms given twice]
#include "common.hpp"
using worker = zg::socket<D, zg::ipc, zg::rep, zg::null_mechanism, L, zg::service<small, small>,
                          zg::vouched<zg::blake2b_mac, zg::freshness_ms<100>, zg::freshness_ms<200>>>;
static_assert(zg::traits_of<worker>::valid);
