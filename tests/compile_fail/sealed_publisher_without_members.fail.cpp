// MESSAGE[zguard::socket: a sealed publisher seals each epoch key to its members: pass the zguard::sealing_members]
#include "common.hpp"
void f(zg::context<D>& ctx, zg::signing_key<zg::ed25519> const& key, zg::sealing_public_key const& member) {
  zg::socket<D, zg::ipc, zg::pub, zg::null_mechanism, LD, zg::topic<"t", small>, zg::signing<zg::ed25519>,
             zg::sealed<zg::max_members<4>>>
      s(ctx, key, member);
}
