// MESSAGE[zguard::socket: a sealed client seals each request to its service's key and is pinned to it: pass the service's zguard::sealing_public_key]
// A sealed REQ without the key it seals to would have nothing to seal with.
#include "common.hpp"
void f(zg::context<D>& ctx, zg::keypair const& mine, zg::public_key const& server) {
  zg::socket<D, zg::tcp, zg::req, zg::curve_client, L, zg::service<small, small>, zg::sealed<>> s(ctx, mine, server);
}
