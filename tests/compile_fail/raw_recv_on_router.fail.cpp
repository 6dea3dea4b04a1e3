// MESSAGE[zguard::socket::recv_multipart: a ROUTER has no raw recv_multipart\(\)]
#include "common.hpp"
void f(zg::socket<D, zg::tcp, zg::router, zg::curve_server, L>& router) {
  (void)router.recv_multipart();
}
