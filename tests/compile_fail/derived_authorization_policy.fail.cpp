// MESSAGE[the authorization slot holds a type that is not zguard::authorized]
#include "common.hpp"
struct lenient : zg::authorized {};
void f(zg::context<D>& ctx, zg::authenticator<D>& auth, zg::keypair const& keys, zg::permissions& perms) {
  zg::socket<D, zg::tcp, zg::rep, zg::curve_server, L, zg::service<small, small>, lenient> s(ctx, auth, keys, perms);
}
