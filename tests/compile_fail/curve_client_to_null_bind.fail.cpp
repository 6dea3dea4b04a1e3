// MESSAGE[the security mechanisms do not match]
#include "common.hpp"
void f(zg::context<D>& ctx, zg::keypair const& k, zg::public_key const& server,
       zg::bound_endpoint<D, zg::tcp, zg::rep, zg::insecure<"lab only">> const& ep) {
  zg::socket<D, zg::tcp, zg::req, zg::curve_client, L> s(ctx, k, server);
  s.connect(ep);
}
