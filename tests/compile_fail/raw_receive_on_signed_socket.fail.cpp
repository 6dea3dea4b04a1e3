// MESSAGE[zguard::socket::receive<T>: a socket with a channel hands out its channel's schemas only, decoded \(and, when signed, verified\): never its raw frames \(G7, G9\)]
#include "common.hpp"
void f(zg::socket<D, zg::ipc, zg::pull, zg::null_mechanism, L, zg::stream<small>, zg::signing<zg::blake2b_mac>>& s) {
  auto frame = s.receive<zmq::message_t>();  // unverified bytes: not offered on a signed socket (G7)
}
