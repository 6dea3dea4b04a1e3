// MESSAGE[zguard::socket::request: only a REQ socket has request\(\)]
#include "common.hpp"
void f(zg::socket<D, zg::ipc, zg::dealer, zg::null_mechanism, L>& s) {
  auto reply = s.request("ping");
  if (reply) (void)reply->size();
}
