// MESSAGE[zguard::bound_endpoint: only socket::bind\(\) makes one]
#include "common.hpp"
#include <string>
// A client pointed at a squatter's socket in /tmp through a hand-made
// bound_endpoint: connect(bound) would skip every ipc path check.
void f(zg::context<D>& ctx) {
  zg::socket<D, zg::ipc, zg::req, zg::null_mechanism, L> client(ctx);
  zg::bound_endpoint<D, zg::ipc, zg::rep, zg::null_mechanism> squatter(std::string("ipc:///tmp/squat.sock"));
  client.connect(squatter);
}
