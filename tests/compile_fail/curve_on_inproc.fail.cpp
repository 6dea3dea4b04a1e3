// MESSAGE[carries no security mechanism: libzmq would silently ignore CURVE/PLAIN here]
#include "common.hpp"
void f(zg::context<D>& ctx, zg::authenticator<D>& auth, zg::keypair const& k) {
  zg::socket<D, zg::inproc, zg::rep, zg::curve_server, L> s(ctx, auth, k);
}
