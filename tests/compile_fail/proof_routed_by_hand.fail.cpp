// MESSAGE[zguard::routed<T>: only a ROUTER's receive_message\(\) makes one]
#include "common.hpp"
void f(small const& m) {
  zg::routed<small> fake{m};
  (void)fake;
}
