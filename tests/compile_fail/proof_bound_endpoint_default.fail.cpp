// MESSAGE[zguard::bound_endpoint: only socket::bind\(\) makes one]
#include "common.hpp"
void f() {
  zg::bound_endpoint<D, zg::tcp, zg::rep, zg::curve_server> blank;
  (void)blank;
}
