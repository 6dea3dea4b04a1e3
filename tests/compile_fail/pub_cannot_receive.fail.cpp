// MESSAGE[zguard::socket::receive: this socket's pattern only sends \(PUB, PUSH\), so it receives nothing]
#include "common.hpp"
void f(zg::socket<D, zg::ipc, zg::pub, zg::null_mechanism, LD>& s) {
  auto m = s.receive();
  if (m) (void)m->size();
}
