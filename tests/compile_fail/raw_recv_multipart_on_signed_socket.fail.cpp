// MESSAGE[zguard::socket::recv_multipart: a signed socket has no raw recv_multipart\(\): its frames are not verified]
#include "common.hpp"
void f(zg::socket<D, zg::ipc, zg::sub, zg::null_mechanism, LD, zg::topic<"t", small>, zg::signing<zg::ed25519>>& s) {
  auto frames = s.recv_multipart();  // the envelope frames, unverified
  if (frames) (void)frames->size();
}
