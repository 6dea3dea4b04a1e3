// MESSAGE[NULL security on a network transport sends everything in clear text]
#include "common.hpp"
void f(zg::context<D>& ctx) {
  zg::socket<D, zg::tcp, zg::rep, zg::null_mechanism, L> s(ctx);
}
