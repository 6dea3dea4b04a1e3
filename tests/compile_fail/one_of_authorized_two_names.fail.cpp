// MESSAGE[authorized names a service by its request schema; a one_of<...> request must be versions of one schema]
// One call permission must cover exactly the requests served: two names
// would let a permission for one reach the other.
#include "common.hpp"
void f(zg::context<D>& ctx, zg::authenticator<D>& auth, zg::keypair const& keys, zg::permissions& perms) {
  zg::socket<D, zg::tcp, zg::rep, zg::curve_server, L, zg::service<zg::one_of<small, other_small>, small>,
             zg::authorized> s(ctx, auth, keys, perms);
}
