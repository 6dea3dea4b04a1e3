// MESSAGE[zguard::socket::receive_message: this socket has no channel, so it carries no typed messages]
#include "common.hpp"
void f(zg::socket<D, zg::ipc, zg::pull, zg::null_mechanism, L>& s) {
  auto got = s.receive_message<small>();
  if (got) (void)got->value.id;
}
