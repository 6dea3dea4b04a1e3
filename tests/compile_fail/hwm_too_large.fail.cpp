// MESSAGE[zguard::recv_hwm<N>: N must be > 0 .* and <= 10000000: range 1..10000000]
#include "common.hpp"
using bad = zg::limits<zg::send_hwm<10>, zg::recv_hwm<2000000000>, zg::block_when_full>;
static_assert(sizeof(bad) > 0);
