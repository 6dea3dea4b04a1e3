// MESSAGE[a typed ROUTER replies to peers by handle; declare zguard::block_when_full so that ROUTER_MANDATORY]
#include "common.hpp"
void f(zg::context<D>& ctx, zg::authenticator<D>& auth, zg::keypair const& server) {
  zg::socket<D, zg::tcp, zg::router, zg::curve_server, LD, zg::service<small, small>> router(ctx, auth, server);
}
