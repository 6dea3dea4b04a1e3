// MESSAGE[no security mechanism; add zguard::curve_server]
#include "common.hpp"
void f(zg::context<D>& ctx) {
  zg::socket<D, zg::tcp, zg::rep, L> s(ctx);
}
