// MESSAGE[zguard::socket::serve: a signed REP has no raw serve\(\): requests must be verified and replies signed; use serve_messages\(\) \(G7\)]
#include "common.hpp"
#include <stop_token>
void f(zg::socket<D, zg::ipc, zg::rep, zg::null_mechanism, L, zg::service<small, small>, zg::signing<zg::ed25519>>& s,
       std::stop_token stop) {
  s.serve([](zmq::message_t const&, zg::peer_info const&) { return std::string("pong"); }, stop);
}
