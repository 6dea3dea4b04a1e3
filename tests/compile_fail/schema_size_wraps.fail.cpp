// MESSAGE[a schema of the channel can encode to more bytes than the socket.s max_message_size<N>]
// (4 + (2^32-1) * 2^32) + (1 + 2^32) = 2^64 + 5: a wrapping sum made this
// schema "at most 21 bytes"; the sizes now saturate at SIZE_MAX.
#include "common.hpp"
struct wraps {
  ZGUARD_SCHEMA("cf.wraps", 1);
  BOOST_HANA_DEFINE_STRUCT(wraps, (zg::bounded_vector<zg::bounded_bytes<0xfffffffc>, 0xffffffff>, many),
                           (zg::bounded_vector<zg::bounded_bytes<0xfffffffc>, 1>, one));
};
void f(zg::context<D>& ctx, zg::keypair const& k, zg::public_key const& server) {
  zg::socket<D, zg::tcp, zg::req, zg::curve_client, L, zg::service<wraps, small>> s(ctx, k, server);
}
