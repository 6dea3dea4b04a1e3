// MESSAGE[recv_timeout_ms<Ms>: Ms must be >= 0 \(-1 would block forever\)]
#include "common.hpp"
using Z = zg::limits<zg::recv_timeout_ms<-1>>;
constexpr auto v = Z::recv_timeout;
