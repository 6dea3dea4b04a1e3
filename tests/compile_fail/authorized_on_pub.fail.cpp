// MESSAGE[authorized enforces call permissions: put it on a REP or ROUTER with a service<Req, Rep> channel \(G18\)]
#include "common.hpp"
void f(zg::context<D>& ctx) {
  zg::socket<D, zg::ipc, zg::pub, zg::null_mechanism, LD, zg::topic<"t", small>, zg::authorized> s(ctx);
}
