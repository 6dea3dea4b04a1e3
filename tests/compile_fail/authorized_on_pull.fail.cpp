// MESSAGE[authorized enforces call permissions on a REP or ROUTER with a service<Req, Rep> channel, and subscribe permissions on an XPUB]
#include "common.hpp"
void f(zg::context<D>& ctx, zg::authenticator<D>& auth, zg::keypair const& keys, zg::permissions& perms) {
  zg::socket<D, zg::tcp, zg::pull, zg::curve_server, L, zg::stream<small>, zg::authorized> s(ctx, auth, keys, perms);
}
