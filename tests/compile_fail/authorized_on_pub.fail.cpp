// MESSAGE[an authorized feed is an XPUB, not a PUB: a PUB applies every subscription itself]
#include "common.hpp"
void f(zg::context<D>& ctx) {
  zg::socket<D, zg::ipc, zg::pub, zg::null_mechanism, LD, zg::topic<"t", small>, zg::authorized> s(ctx);
}
