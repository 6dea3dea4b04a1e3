// MESSAGE[receive<T>: T is not what this socket.s channel delivers]
// A one_of channel delivers the one_of: receiving one alternative would
// leave the others with no reader.
#include "common.hpp"
void f(zg::context<D>& ctx) {
  zg::socket<D, zg::inproc, zg::pull, zg::null_mechanism, L, zg::stream<zg::one_of<small, other_small>>> s(ctx);
  auto got = s.receive<small>();
}
