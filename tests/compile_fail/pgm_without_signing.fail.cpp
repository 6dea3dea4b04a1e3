// MESSAGE[pgm/epgm deliver to anyone on the network segment .* every message must be signed]
#include "common.hpp"
void f(zg::context<D>& ctx) {
  zg::socket<D, zg::epgm, zg::sub, zg::insecure<"multicast lab">, LD, zg::topic<"ticks", small>> s(ctx);
}
