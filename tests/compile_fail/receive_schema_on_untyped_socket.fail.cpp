// MESSAGE[zguard::socket::receive<T>: this socket has no channel, so it carries raw frames, not typed messages]
#include "common.hpp"
void f(zg::socket<D, zg::ipc, zg::pull, zg::null_mechanism, L>& s) {
  auto got = s.receive<small>();
  if (got) (void)got->value.id;
}
