// MESSAGE[pgm/epgm carry only PUB/SUB]
#include "common.hpp"
void f(zg::context<D>& ctx) {
  zg::socket<D, zg::pgm, zg::req, zg::insecure<"multicast lab">, L> s(ctx);
}
