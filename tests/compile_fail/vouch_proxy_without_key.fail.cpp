// MESSAGE[a vouching queue needs the key it shares with its workers: proxy\(ctx, front, back, signing_key<blake2b_mac>\)]
#include "common.hpp"
using front = zg::socket<D, zg::ipc, zg::router, zg::null_mechanism, L>;
using back = zg::socket<D, zg::ipc, zg::dealer, zg::null_mechanism, L>;
void f(zg::context<D>& ctx, front& a, back& b) {
  zg::proxy<front, back, zg::vouch_clients<zg::blake2b_mac>> p(ctx, a, b);
}
