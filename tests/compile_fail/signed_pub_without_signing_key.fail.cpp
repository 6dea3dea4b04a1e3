// MESSAGE[a signed socket that sends needs its signing key: pass zguard::signing_key<Alg>]
#include "common.hpp"
void f(zg::context<D>& ctx, zg::authenticator<D>& auth, zg::keypair const& server) {
  zg::socket<D, zg::tcp, zg::pub, zg::curve_server, LD, zg::topic<"ticks", small>, zg::signing<zg::ed25519>> s(
      ctx, auth, server);
}
