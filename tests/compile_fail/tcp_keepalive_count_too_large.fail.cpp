// MESSAGE[Count must be >= 1 and <= 100: range 1\.\.100 probes]
#include "common.hpp"
using Z = zg::limits<zg::tcp_keepalive<60, 10, 1000>>;
static_assert(sizeof(Z) > 0);
