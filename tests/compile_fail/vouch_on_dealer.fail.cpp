// MESSAGE[vouched<...> is for workers behind a vouching broker: a REP or ROUTER with a service<Req, Rep> channel]
#include "common.hpp"
void f(zg::context<D>& ctx, zg::verify_keys<zg::blake2b_mac> const& keys) {
  zg::socket<D, zg::ipc, zg::dealer, zg::null_mechanism, L, zg::service<small, small>, zg::vouched<zg::blake2b_mac>> w(
      ctx, keys);
}
