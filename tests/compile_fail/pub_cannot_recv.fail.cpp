// MESSAGE[zguard::socket::recv: this socket's pattern only sends \(PUB, PUSH\), so it has no recv\(\)]
#include "common.hpp"
void f(zg::socket<D, zg::ipc, zg::pub, zg::null_mechanism, LD>& s) {
  auto m = s.recv();
  if (m) (void)m->size();
}
