// MESSAGE[zguard::socket: a sealed service opens what its clients sealed to it: pass its zguard::sealing_key]
// Given the public key where its secret belongs: a sealed service cannot open with a public key.
#include "common.hpp"
void f(zg::context<D>& ctx, zg::authenticator<D>& auth, zg::keypair const& keys, zg::sealing_key const& key) {
  zg::socket<D, zg::tcp, zg::rep, zg::curve_server, L, zg::service<small, small>, zg::sealed<>> s(
      ctx, auth, keys, key.public_part());
}
