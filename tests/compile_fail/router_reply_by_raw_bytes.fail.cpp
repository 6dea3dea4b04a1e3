// MESSAGE[a reply can only be addressed to a peer obtained from receive\(\) on the ROUTER]
#include "common.hpp"
using svc = zg::service<small, small>;
void f(zg::socket<D, zg::tcp, zg::router, zg::curve_server, L, svc>& router) {
  zg::peer_handle victim(std::string("victim"));  // a routing id chosen by someone else
  (void)router.send(victim, small{});
}
