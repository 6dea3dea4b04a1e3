// MESSAGE[receive<T>: T is not what this socket.s channel delivers]
#include "common.hpp"
void f(zg::context<D>& ctx) {
  zg::socket<D, zg::inproc, zg::pull, zg::null_mechanism, L, zg::stream<small>> s(ctx);
  auto got = s.receive<other_small>();
}
