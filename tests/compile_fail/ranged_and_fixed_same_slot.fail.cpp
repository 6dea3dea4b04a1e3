// MESSAGE[zguard::limits<...>: linger_ms given twice \(linger_ms<N> and linger_ms_in<Lo, Hi> fill the same slot: keep one\)]
#include "common.hpp"
using Z = zg::limits<zg::linger_ms<0>, zg::linger_ms_in<0, 100>>;
static_assert(sizeof(Z) > 0);
