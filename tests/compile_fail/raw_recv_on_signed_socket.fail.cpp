// MESSAGE[required by the constraints of .*recv\(\) requires .*&& !zguard::v0::socket<Policies ...>::is_signed]
#include "common.hpp"
void f(zg::socket<D, zg::ipc, zg::pull, zg::null_mechanism, L, zg::stream<small>, zg::signing<zg::blake2b_mac>>& s) {
  auto frame = s.recv();  // unverified bytes: not offered on a signed socket (G7)
}
