// MESSAGE[this inproc endpoint belongs to another security domain]
#include "common.hpp"
using E = zg::domain<"elsewhere">;
void f(zg::context<D>& ctx) {
  zg::socket<D, zg::inproc, zg::pair, zg::null_mechanism, L> s(ctx);
  s.bind(zg::endpoint<zg::inproc, E>("inproc://x"));
}
