// MESSAGE[the context belongs to another security domain than the socket]
#include "common.hpp"
using E = zg::domain<"elsewhere">;
void f(zg::context<E>& ctx) {
  zg::socket<D, zg::inproc, zg::pair, zg::null_mechanism, L> s(ctx);
}
