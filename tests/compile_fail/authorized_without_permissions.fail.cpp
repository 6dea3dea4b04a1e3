// MESSAGE[an authorized socket enforces a permission set: pass the zguard::permissions .* as the last constructor argument \(G18\)]
#include "common.hpp"
void f(zg::context<D>& ctx, zg::authenticator<D>& auth, zg::keypair const& keys) {
  zg::socket<D, zg::tcp, zg::rep, zg::curve_server, L, zg::service<small, small>, zg::authorized> s(ctx, auth, keys);
}
