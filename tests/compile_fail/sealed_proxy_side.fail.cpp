// MESSAGE[zguard::socket: sealed<...> is for the ends of a channel \(a service's client and service, a topic's publisher and subscribers\); a socket without a channel \(a proxy's side, a capture, a relay\) passes sealed frames it cannot read and holds no sealing key \(G19\)]
// A queue's front that claims to open what it routes.
#include "common.hpp"
void f(zg::context<D>& ctx, zg::authenticator<D>& auth, zg::keypair const& keys, zg::sealing_key const& key) {
  zg::socket<D, zg::tcp, zg::router, zg::curve_server, L, zg::sealed<>> front(ctx, auth, keys, key);
}
