// MESSAGE[the channel does not fit the pattern]
#include "common.hpp"
void f(zg::context<D>& ctx) {
  zg::socket<D, zg::inproc, zg::push, zg::null_mechanism, L, zg::topic<"t", small>> s(ctx);
}
