// MESSAGE[zguard::socket::send: a signed socket has no raw send\(\): its receivers trust every message from it to be signed]
#include "common.hpp"
void f(zg::socket<D, zg::ipc, zg::push, zg::null_mechanism, L, zg::stream<small>, zg::signing<zg::ed25519>>& s) {
  (void)s.send("forged");  // would reach verifiers as an unsigned frame
}
