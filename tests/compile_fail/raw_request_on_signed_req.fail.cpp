// MESSAGE[zguard::socket::request: a signed REQ has no raw request\(\): the reply must be verified and the request signed; use call\(\) \(G7\)]
#include "common.hpp"
void f(zg::socket<D, zg::ipc, zg::req, zg::null_mechanism, L, zg::service<small, small>, zg::signing<zg::blake2b_mac>>& s) {
  auto reply = s.request("ping");
}
