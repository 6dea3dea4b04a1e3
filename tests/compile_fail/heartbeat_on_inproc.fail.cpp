// MESSAGE[heartbeat<...> and reconnect<...> act on tcp and ipc connections: inproc has no connection to lose]
#include "common.hpp"
using K = zg::limits<zg::send_hwm<10>, zg::recv_hwm<10>, zg::block_when_full, zg::linger_ms<0>,
                     zg::send_timeout_ms<100>, zg::recv_timeout_ms<100>, zg::heartbeat<1000, 3000, 5000>>;
void f(zg::context<D>& ctx) {
  zg::socket<D, zg::inproc, zg::push, zg::null_mechanism, K, zg::stream<small>> s(ctx);
}
