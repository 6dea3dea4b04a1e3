// MESSAGE[zguard::socket::send\(peer, msg\): an authorized ROUTER answers a request with reply\(request, answer\), which checks the caller may still call it]
// send(peer, msg) would answer without asking whether the caller's
// permission to call still holds (a replace() while the request was held).
#include "common.hpp"
using svc = zg::service<small, other_small>;
using guarded = zg::socket<D, zg::tcp, zg::router, zg::curve_server, L, svc, zg::authorized>;
void f(guarded& s) {
  if (auto got = s.receive()) (void)s.send(got->from, other_small{got->value.id});
}
