// MESSAGE[zguard::routed<T>: only a ROUTER's receive\(\) makes one]
#include "common.hpp"
void f(small const& m) {
  zg::routed<small> fake{m};
  (void)fake;
}
