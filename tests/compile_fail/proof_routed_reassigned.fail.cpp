// MESSAGE[zguard::routed<T>: cannot be assigned]
#include "common.hpp"
// One request's content under another request's reply handle.
using svc = zg::service<small, small>;
void f(zg::socket<D, zg::tcp, zg::router, zg::curve_server, L, svc>& s) {
  auto a = s.receive<small>();
  auto b = s.receive<small>();
  *a = *b;
}
