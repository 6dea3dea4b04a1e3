// MESSAGE[zguard::verified<T>: cannot be assigned]
#include "common.hpp"
// Another verified value's content under this one's origin, or the reverse.
void f(zg::socket<D, zg::tcp, zg::sub, zg::curve_client, LD, zg::topic<"ticks", small>, zg::signing<zg::ed25519>>& s) {
  auto a = s.receive<small>();
  auto b = s.receive<small>();
  *a = *b;
}
