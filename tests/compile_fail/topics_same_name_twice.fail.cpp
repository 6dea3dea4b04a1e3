// MESSAGE[zguard::topics<...>: two topics have the same name; a message could not say which it is]
#include "common.hpp"
void f(zg::context<D>& ctx) {
  zg::socket<D, zg::ipc, zg::sub, zg::null_mechanism, LD,
             zg::topics<zg::topic<"a", small>, zg::topic<"a", other_small>>> s(ctx);
}
