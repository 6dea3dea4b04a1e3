// MESSAGE[NULL security on a network transport]
// The harness must reject more than 15 lines of diagnostics (two mistakes here).
#include "common.hpp"
void f(zg::context<D>& ctx) {
  zg::socket<D, zg::tcp, zg::rep, zg::null_mechanism, L> a(ctx);
  zg::socket<D, zg::tcp, zg::req, zg::null_mechanism, L> b(ctx);
}
