// MESSAGE[zguard::send_hwm_in<Lo, Hi>: Lo must be <= Hi]
#include "common.hpp"
using Z = zg::limits<zg::send_hwm_in<500, 100>>;
static_assert(sizeof(Z) > 0);
