// MESSAGE[zguard::received<T>: only a socket's receive\(\) makes one]
#include "common.hpp"
// A message dressed up as coming from an authenticated peer.
void f(small const& m) {
  zg::received<small> fake{m, zg::peer_info{"admin-key", "127.0.0.1"}, 0};
  (void)fake;
}
