// MESSAGE[zguard::max_message_size<N>: .*range 1..268435456 bytes]
#include "common.hpp"
using bad = zg::limits<zg::max_message_size<(std::int64_t(1) << 40)>>;
static_assert(sizeof(bad) > 0);
