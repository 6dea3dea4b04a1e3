// MESSAGE[zguard::socket::recv: a signed socket has no raw recv\(\): its frames are not verified; receive_message\(\) hands out only verified<T> \(G7\)]
#include "common.hpp"
void f(zg::socket<D, zg::ipc, zg::pull, zg::null_mechanism, L, zg::stream<small>, zg::signing<zg::blake2b_mac>>& s) {
  auto frame = s.recv();  // unverified bytes: not offered on a signed socket (G7)
}
