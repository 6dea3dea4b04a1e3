// MESSAGE[a key is given but the proxy does not vouch; declare proxy<Front, Back, zguard::vouch_clients]
#include "common.hpp"
using front = zg::socket<D, zg::ipc, zg::router, zg::null_mechanism, L>;
using back = zg::socket<D, zg::ipc, zg::dealer, zg::null_mechanism, L>;
void f(zg::context<D>& ctx, front& a, back& b, zg::signing_key<zg::blake2b_mac> const& key) {
  zg::proxy<front, back> p(ctx, a, b, key);
}
