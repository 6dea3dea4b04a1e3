// MESSAGE[zguard::socket: a sealed topic's frame does not fit max_message_size<N>: its largest message \(or full batch\), padded and sealed]
// The default max_members<64> makes an announcement of 3628 bytes: more than 1024.
#include "common.hpp"
void f(zg::context<D>& ctx, zg::verify_keys<zg::ed25519> const& keys, zg::sealing_key const& key) {
  zg::socket<D, zg::ipc, zg::sub, zg::null_mechanism, LD, zg::topic<"t", small>, zg::signing<zg::ed25519>,
             zg::sealed<>>
      s(ctx, keys, key);
}
