// MESSAGE[send: this socket.s channel does not carry that type]
#include "common.hpp"
void f(zg::context<D>& ctx) {
  zg::socket<D, zg::inproc, zg::push, zg::null_mechanism, L, zg::stream<small>> s(ctx);
  (void)s.send(other_small{});
}
