// MESSAGE[this socket's limits are all fixed by its type: it takes no zguard::runtime_limits]
#include "common.hpp"
void f(zg::context<D>& ctx, zg::authenticator<D>& auth, zg::keypair const& keys) {
  zg::socket<D, zg::tcp, zg::rep, zg::curve_server, L, zg::service<small, small>> s(ctx, auth, keys,
                                                                                     zg::runtime_limits{});
}
