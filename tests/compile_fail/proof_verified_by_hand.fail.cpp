// MESSAGE[only a signed socket's receive\(\) makes one]
#include "common.hpp"
// Unsigned content under the verified type.
void f(small const& forged) {
  zg::verified<small> fake(forged);
  (void)fake;
}
