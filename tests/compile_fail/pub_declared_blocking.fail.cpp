// MESSAGE[PUB/SUB/XPUB/XSUB drop messages at the HWM in libzmq; declare zguard::drop_when_full]
#include "common.hpp"
void f(zg::context<D>& ctx, zg::authenticator<D>& auth, zg::keypair const& k) {
  zg::socket<D, zg::tcp, zg::pub, zg::curve_server, L> s(ctx, auth, k);
}
