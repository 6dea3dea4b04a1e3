// MESSAGE[a signed socket that receives needs the keys to verify with: pass zguard::verify_keys<Alg>]
#include "common.hpp"
void f(zg::context<D>& ctx, zg::keypair const& mine, zg::public_key const& server) {
  zg::socket<D, zg::tcp, zg::sub, zg::curve_client, LD, zg::topic<"ticks", small>, zg::signing<zg::ed25519>> s(
      ctx, mine, server);
}
