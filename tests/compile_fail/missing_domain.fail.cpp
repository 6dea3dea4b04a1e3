// MESSAGE[no security domain; add zguard::domain]
#include "common.hpp"
void f(zg::context<D>& ctx, zg::keypair const& k, zg::public_key const& server) {
  zg::socket<zg::tcp, zg::req, zg::curve_client, L> s(ctx, k, server);
}
