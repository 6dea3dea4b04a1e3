// MESSAGE[keeps a reference to its zguard::permissions .*: pass a named permissions object that outlives the socket, not a temporary]
#include "common.hpp"
void f(zg::context<D>& ctx, zg::authenticator<D>& auth, zg::keypair const& keys) {
  zg::socket<D, zg::tcp, zg::rep, zg::curve_server, L, zg::service<small, small>, zg::authorized> s(
      ctx, auth, keys, zg::permissions(zg::permission_set{}));
}
