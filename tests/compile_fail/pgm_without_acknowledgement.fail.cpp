// MESSAGE[NULL security on a network transport]
#include "common.hpp"
void f(zg::context<D>& ctx) {
  zg::socket<D, zg::epgm, zg::pub, zg::null_mechanism, LD> s(ctx);
}
