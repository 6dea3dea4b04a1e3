// MESSAGE[zguard::public_key: make one with public_key::from_z85\(\) or from_bytes\(\)]
#include "common.hpp"
// A public key that no Z85 or byte check ever saw.
void f() {
  zg::public_key k;
  (void)k;
}
