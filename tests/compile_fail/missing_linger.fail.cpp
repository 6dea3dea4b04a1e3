// MESSAGE[limits<> has no linger_ms<N>]
#include "common.hpp"
using Short = zg::limits<zg::send_hwm<10>, zg::recv_hwm<10>, zg::block_when_full,
                         zg::send_timeout_ms<100>, zg::recv_timeout_ms<100>>;
void f(zg::context<D>& ctx) {
  zg::socket<D, zg::inproc, zg::pair, zg::null_mechanism, Short> s(ctx);
}
