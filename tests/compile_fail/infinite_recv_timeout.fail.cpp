// MESSAGE[recv_timeout_ms<Ms>: Ms must be >= 0 \(-1 would block forever\)]
#include <zguard/zguard.hpp>
namespace zg = zguard;
using D = zg::domain<"cf">;
using L = zg::limits<zg::send_hwm<10>, zg::recv_hwm<10>, zg::block_when_full, zg::max_message_size<1024>,
                     zg::linger_ms<0>, zg::send_timeout_ms<100>, zg::recv_timeout_ms<100>,
                     zg::handshake_timeout_ms<1000>>;
using LD = zg::limits<zg::send_hwm<10>, zg::recv_hwm<10>, zg::drop_when_full, zg::max_message_size<1024>,
                      zg::linger_ms<0>, zg::send_timeout_ms<100>, zg::recv_timeout_ms<100>,
                      zg::handshake_timeout_ms<1000>>;
using Z = zg::limits<zg::recv_timeout_ms<-1>>;
constexpr auto v = Z::recv_timeout;
