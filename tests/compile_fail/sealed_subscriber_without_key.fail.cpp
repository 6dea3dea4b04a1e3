// MESSAGE[zguard::socket: a sealed subscriber opens the epoch keys its publisher seals to it: pass its zguard::sealing_key]
// Given its public key only, a subscriber could open nothing.
#include "common.hpp"
void f(zg::context<D>& ctx, zg::verify_keys<zg::ed25519> const& keys, zg::sealing_public_key const& mine) {
  zg::socket<D, zg::ipc, zg::sub, zg::null_mechanism, LD, zg::topic<"t", small>, zg::signing<zg::ed25519>,
             zg::sealed<zg::max_members<4>>>
      s(ctx, keys, mine);
}
