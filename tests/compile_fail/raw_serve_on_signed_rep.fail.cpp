// MESSAGE[zguard::socket::serve: on a socket with a channel the handler takes the decoded request: handler\(request, peer_info\) -> reply, and on a signed socket handler\(request, peer_info, signed_origin\)]
#include "common.hpp"
#include <stop_token>
void f(zg::socket<D, zg::ipc, zg::rep, zg::null_mechanism, L, zg::service<small, small>, zg::signing<zg::ed25519>>& s,
       std::stop_token stop) {
  s.serve([](zmq::message_t const&, zg::peer_info const&) { return std::string("pong"); }, stop);
}
