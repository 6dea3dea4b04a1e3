// MESSAGE[block at the HWM in libzmq; declare zguard::block_when_full]
#include "common.hpp"
void f(zg::context<D>& ctx, zg::keypair const& k, zg::public_key const& server) {
  zg::socket<D, zg::tcp, zg::req, zg::curve_client, LD> s(ctx, k, server);
}
