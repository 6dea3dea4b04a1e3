// MESSAGE[reconnect<IvlMs, MaxMs>: IvlMs must be >= 10 \(0 retries in a busy loop, -1 never reconnects\)]
#include "common.hpp"
using Z = zg::limits<zg::reconnect<0, 100>>;
static_assert(sizeof(Z) > 0);
