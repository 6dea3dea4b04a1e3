// MESSAGE[zguard::socket::send: a ROUTER without a channel has no send\(\): raw frames would let any routing id be addressed]
#include "common.hpp"
// An untyped ROUTER handing out raw frames would let a reply go to any
// routing id, whoever holds it now.
void f(zg::socket<D, zg::tcp, zg::router, zg::curve_server, L>& router) {
  (void)router.send("routing id of someone else", true);
}
