// MESSAGE[call: this socket.s channel does not carry that request type]
#include "common.hpp"
void f(zg::context<D>& ctx, zg::keypair const& k, zg::public_key const& server) {
  zg::socket<D, zg::tcp, zg::req, zg::curve_client, L, zg::service<small, other_small>> s(ctx, k, server);
  auto reply = s.call(other_small{});
}
