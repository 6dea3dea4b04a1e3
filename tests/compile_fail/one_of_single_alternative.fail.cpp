// MESSAGE[zguard::one_of<A, B, ...>: at least two alternatives]
#include "common.hpp"
void f(zg::context<D>& ctx) {
  zg::socket<D, zg::ipc, zg::pull, zg::null_mechanism, L, zg::stream<zg::one_of<small>>> s(ctx);
}
