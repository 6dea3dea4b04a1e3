// MESSAGE[a CURVE server needs an authenticator of its context .*without a ZAP handler libzmq accepts every client]
#include "common.hpp"
void f(zg::context<D>& ctx, zg::keypair const& server) {
  zg::socket<D, zg::tcp, zg::router, zg::curve_server, L, zg::service<small, small>> router(ctx, server);
}
