// MESSAGE[a signed socket that sends needs its signing key: pass zguard::signing_key<Alg> of the socket.s signing algorithm]
#include "common.hpp"
void f(zg::context<D>& ctx) {
  zg::socket<D, zg::ipc, zg::push, zg::null_mechanism, L, zg::stream<small>, zg::signing<zg::ed25519>> s(
      ctx, zg::signing_key<zg::blake2b_mac>::generate());
}
