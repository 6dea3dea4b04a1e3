// MESSAGE[zguard::socket::call: only a REQ socket has call\(\)]
#include "common.hpp"
void f(zg::socket<D, zg::ipc, zg::dealer, zg::null_mechanism, L>& s) {
  auto reply = s.call("ping");
  if (reply) (void)reply->size();
}
