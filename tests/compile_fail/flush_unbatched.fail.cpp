// MESSAGE[zguard::socket::flush: only a sending socket with zguard::batched<N, Ms> or zguard::coalesced<N, Us> holds messages back]
#include "common.hpp"
void f(zg::context<D>& ctx) {
  zg::socket<D, zg::inproc, zg::push, zg::null_mechanism, L, zg::stream<small>> s(ctx);
  (void)s.flush();
}
