// MESSAGE[zguard::recv_timeout_ms_in<Lo, Hi>: Lo must be >= 0 \(-1 would block forever\) and Hi <= 600000: range 0..600000 ms]
#include "common.hpp"
using Z = zg::limits<zg::recv_timeout_ms_in<100, 600001>>;
static_assert(sizeof(Z) > 0);
