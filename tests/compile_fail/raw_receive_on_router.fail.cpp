// MESSAGE[zguard::socket::receive: a ROUTER without a channel has no receive\(\): raw frames would let any routing id be addressed]
#include "common.hpp"
void f(zg::socket<D, zg::tcp, zg::router, zg::curve_server, L>& router) {
  (void)router.receive_multipart();
}
