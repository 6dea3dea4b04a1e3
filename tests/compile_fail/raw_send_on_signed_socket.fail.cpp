// MESSAGE[zguard::socket::send: a socket with a channel sends its channel's schemas, never raw frames: its receivers decode \(and, when signed, verify\) every message]
#include "common.hpp"
void f(zg::socket<D, zg::ipc, zg::push, zg::null_mechanism, L, zg::stream<small>, zg::signing<zg::ed25519>>& s) {
  (void)s.send("forged");  // would reach verifiers as an unsigned frame
}
