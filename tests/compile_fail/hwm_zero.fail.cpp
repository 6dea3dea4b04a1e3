// MESSAGE[send_hwm<N>: N must be > 0 \(0 means unlimited in libzmq\)]
#include "common.hpp"
using Z = zg::limits<zg::send_hwm<0>>;
constexpr auto v = Z::send_hwm;
