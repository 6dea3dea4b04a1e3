// MESSAGE[zguard::socket::call: a socket with a channel sends its channel's schemas, never raw frames: the service decodes \(and, when signed, verifies\) every request]
#include "common.hpp"
void f(zg::socket<D, zg::ipc, zg::req, zg::null_mechanism, L, zg::service<small, small>, zg::signing<zg::blake2b_mac>>& s) {
  auto reply = s.call("ping");
}
