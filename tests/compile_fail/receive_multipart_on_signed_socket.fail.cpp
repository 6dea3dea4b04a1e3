// MESSAGE[zguard::socket::receive_multipart: a socket with a channel reads whole typed messages with receive\(\); its frames are not handed out unchecked]
#include "common.hpp"
void f(zg::socket<D, zg::ipc, zg::sub, zg::null_mechanism, LD, zg::topic<"t", small>, zg::signing<zg::ed25519>>& s) {
  auto frames = s.receive_multipart();  // the envelope frames, unverified
  if (frames) (void)frames->size();
}
