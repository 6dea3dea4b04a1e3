// MESSAGE[zguard::socket::serve: only a REP socket serves raw frames; a ROUTER serves with a service<Req, Rep> channel]
#include "common.hpp"
#include <stop_token>
void f(zg::socket<D, zg::ipc, zg::router, zg::null_mechanism, L>& s, std::stop_token stop) {
  s.serve([](zmq::message_t const&, zg::peer_info const&) { return std::string("pong"); }, stop);
}
