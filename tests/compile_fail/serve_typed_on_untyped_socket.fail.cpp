// MESSAGE[zguard::socket::serve: this socket has no channel, so its handler gets raw frames]
#include "common.hpp"
#include <stop_token>
void f(zg::socket<D, zg::ipc, zg::rep, zg::null_mechanism, L>& s, std::stop_token stop) {
  s.serve([](small const& r, zg::peer_info const&) { return r; }, stop);
}
