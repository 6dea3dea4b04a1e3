// MESSAGE[the authenticator belongs to another security domain]
#include "common.hpp"
using E = zg::domain<"elsewhere">;
void f(zg::context<D>& ctx, zg::authenticator<E>& auth, zg::keypair const& k) {
  zg::socket<D, zg::tcp, zg::rep, zg::curve_server, L> s(ctx, auth, k);
}
