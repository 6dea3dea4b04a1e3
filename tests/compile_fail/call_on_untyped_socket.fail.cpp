// MESSAGE[zguard::socket::call: this socket has no channel; add zguard::service<Req, Rep>]
#include "common.hpp"
void f(zg::socket<D, zg::ipc, zg::req, zg::null_mechanism, L>& s) {
  auto reply = s.call(small{});
  if (reply && *reply) (void)(*reply)->id;
}
