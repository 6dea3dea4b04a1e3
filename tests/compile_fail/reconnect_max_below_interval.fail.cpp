// MESSAGE[MaxMs must be >= IvlMs \(MaxMs == IvlMs: no back-off\).*range IvlMs\.\.600000 ms]
#include "common.hpp"
using Z = zg::limits<zg::reconnect<1000, 500>>;
static_assert(sizeof(Z) > 0);
