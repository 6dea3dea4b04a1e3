// MESSAGE[a diagnostic that the compiler never prints]
#include "common.hpp"
void f(zg::context<D>& ctx) {
  zg::socket<D, zg::tcp, zg::rep, zg::null_mechanism, L> s(ctx);
}
