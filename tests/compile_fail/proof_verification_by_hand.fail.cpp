// MESSAGE[zguard::verification: only verifier::verify\(\) makes one]
#include "common.hpp"
// A verification outcome saying "ok" that no verifier produced.
void f() {
  zg::verification v;
  (void)v;
}
