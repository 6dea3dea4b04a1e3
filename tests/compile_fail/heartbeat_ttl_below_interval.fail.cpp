// MESSAGE[TtlMs must be > IvlMs: the peer closes the connection after TtlMs without traffic]
#include "common.hpp"
using Z = zg::limits<zg::heartbeat<1000, 3000, 500>>;
static_assert(sizeof(Z) > 0);
