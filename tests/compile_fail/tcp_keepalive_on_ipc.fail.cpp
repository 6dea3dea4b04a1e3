// MESSAGE[tcp_keepalive<...> is a TCP option: on ipc, inproc, pgm or epgm libzmq would silently ignore it]
#include "common.hpp"
using K = zg::limits<zg::send_hwm<10>, zg::recv_hwm<10>, zg::block_when_full, zg::max_message_size<1024>,
                     zg::linger_ms<0>, zg::send_timeout_ms<100>, zg::recv_timeout_ms<100>,
                     zg::handshake_timeout_ms<1000>, zg::tcp_keepalive<60, 10, 5>>;
void f(zg::context<D>& ctx) {
  zg::socket<D, zg::ipc, zg::pull, zg::null_mechanism, K, zg::stream<small>> s(ctx);
}
