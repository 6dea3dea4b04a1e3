// MESSAGE[a CURVE server needs an authenticator of its context]
#include "common.hpp"
void f(zg::context<D>& ctx, zg::keypair const& k) {
  zg::socket<D, zg::tcp, zg::rep, zg::curve_server, L> s(ctx, k);
}
