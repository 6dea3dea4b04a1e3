// MESSAGE[the channel does not fit the pattern: .*topics<...> SUB \(a publisher sends each topic with its own topic<"name", S> socket\)]
#include "common.hpp"
void f(zg::context<D>& ctx) {
  zg::socket<D, zg::ipc, zg::pub, zg::null_mechanism, LD,
             zg::topics<zg::topic<"a", small>, zg::topic<"b", other_small>>> s(ctx);
}
