// MESSAGE[zguard::peer_handle: a reply can only be addressed to a peer obtained from receive\(\) on the ROUTER]
#include "common.hpp"
#include <string>
using svc = zg::service<small, small>;
void f(zg::socket<D, zg::tcp, zg::router, zg::curve_server, L, svc>& router) {
  zg::peer_handle victim(std::string("victim"), std::string("victim's key"));  // the private constructor's shape
  (void)router.send(victim, small{});
}
