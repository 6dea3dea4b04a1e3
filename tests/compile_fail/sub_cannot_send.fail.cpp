// MESSAGE[zguard::socket::send: this socket's pattern only receives \(SUB, PULL\), so it has no send\(\)]
#include "common.hpp"
void f(zg::context<D>& ctx, zg::keypair const& k, zg::public_key const& server) {
  zg::socket<D, zg::tcp, zg::sub, zg::curve_client, LD> s(ctx, k, server);
  (void)s.send("x");
}
