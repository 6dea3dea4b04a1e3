// MESSAGE[zguard::socket::serve_messages: this socket has no channel]
#include "common.hpp"
#include <stop_token>
void f(zg::socket<D, zg::ipc, zg::rep, zg::null_mechanism, L>& s, std::stop_token stop) {
  s.serve_messages([](small const& r, zg::peer_info const&) { return r; }, stop);
}
