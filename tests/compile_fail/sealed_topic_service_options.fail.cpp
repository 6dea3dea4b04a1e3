// MESSAGE[zguard::socket: a sealed topic's freshness and replays are judged by its envelope: give freshness_ms and replay_window to signing<ed25519, ...>]
#include "common.hpp"
void f(zg::context<D>& ctx, zg::verify_keys<zg::ed25519> const& keys, zg::sealing_key const& key) {
  zg::socket<D, zg::ipc, zg::sub, zg::null_mechanism, LD, zg::topic<"t", small>, zg::signing<zg::ed25519>,
             zg::sealed<zg::freshness_ms<1000>, zg::max_members<4>>>
      s(ctx, keys, key);
}
