// MESSAGE[these socket patterns cannot talk to each other]
#include "common.hpp"
void f(zg::context<D>& ctx, zg::bound_endpoint<D, zg::inproc, zg::sub, zg::null_mechanism> const& ep) {
  zg::socket<D, zg::inproc, zg::push, zg::null_mechanism, L> s(ctx);
  s.connect(ep);
}
