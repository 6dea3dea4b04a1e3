// MESSAGE[a vouched<...> worker needs the key it shares with its broker: pass zguard::verify_keys<zguard::blake2b_mac>]
#include "common.hpp"
void f(zg::context<D>& ctx) {
  zg::socket<D, zg::ipc, zg::rep, zg::null_mechanism, L, zg::service<small, small>, zg::vouched<zg::blake2b_mac>> w(ctx);
}
