// MESSAGE[zguard::socket::send: this socket has no channel, so it carries raw frames, not typed messages; add zguard::service, topic or stream]
#include "common.hpp"
void f(zg::socket<D, zg::ipc, zg::push, zg::null_mechanism, L>& s) {
  (void)s.send(small{});
}
