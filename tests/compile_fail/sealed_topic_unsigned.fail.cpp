// MESSAGE[zguard::socket: a sealed topic needs signing<ed25519, ...>: its subscribers take an epoch key only from an announcement their publisher signed]
// Unsigned, anyone who reaches the feed could announce an epoch key of its own.
#include "common.hpp"
void f(zg::context<D>& ctx, zg::sealing_key const& key) {
  zg::socket<D, zg::ipc, zg::sub, zg::null_mechanism, LD, zg::topic<"t", small>, zg::sealed<zg::max_members<4>>> s(
      ctx, key);
}
