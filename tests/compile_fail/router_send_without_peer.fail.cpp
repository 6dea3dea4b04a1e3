// MESSAGE[zguard::socket::send: a ROUTER only answers, to the peer a request came from]
#include "common.hpp"
void f(zg::socket<D, zg::ipc, zg::router, zg::null_mechanism, L, zg::service<small, small>>& s) {
  (void)s.send(small{});  // to whom? a ROUTER would pick the first frame as the routing id
}
