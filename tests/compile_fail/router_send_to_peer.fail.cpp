// MESSAGE[zguard::socket::send\(peer, msg\): a ROUTER answers a request with reply\(request, answer\): once, to its sender, while the caller may still call it]
// send(peer, msg) would answer one request any number of times, and on an
// authorized ROUTER without asking whether the caller may still call it.
#include "common.hpp"
using svc = zg::service<small, other_small>;
using guarded = zg::socket<D, zg::tcp, zg::router, zg::curve_server, L, svc, zg::authorized>;
using plain = zg::socket<D, zg::tcp, zg::router, zg::curve_server, L, svc>;
void f(plain& s) {
  if (auto got = s.receive()) (void)s.send(got->from, other_small{got->value.id});
}
[[maybe_unused]] guarded* authorized_too = nullptr;
