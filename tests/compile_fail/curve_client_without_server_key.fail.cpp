// MESSAGE[a CURVE client needs its own keypair and the server.s public key]
#include "common.hpp"
void f(zg::context<D>& ctx, zg::keypair const& k) {
  zg::socket<D, zg::tcp, zg::req, zg::curve_client, L> s(ctx, k);
}
