// MESSAGE[a schema of the channel can encode to more bytes than the socket.s max_message_size<N>]
#include "common.hpp"
struct big {
  ZGUARD_SCHEMA("cf.big", 1);
  BOOST_HANA_DEFINE_STRUCT(big, (zg::bounded_bytes<2000>, data));
};
void f(zg::context<D>& ctx, zg::keypair const& k, zg::public_key const& server) {
  zg::socket<D, zg::tcp, zg::req, zg::curve_client, L, zg::service<big, small>> s(ctx, k, server);
}
