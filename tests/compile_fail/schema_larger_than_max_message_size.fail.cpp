// MESSAGE[a schema of the channel can encode to more bytes than the socket.s max_message_size<N> \(sizes and largest field: see schema_too_large]
// MESSAGE[schema_too_large\(\) \[with Schema = big; long unsigned int max_encoded = 2025; long unsigned int max_message_size = 1024; [^;]*largest_field = [^;]*"data"}; long unsigned int largest_field_max = 2002\]]
#include "common.hpp"
struct big {
  ZGUARD_SCHEMA("cf.big", 1);
  BOOST_HANA_DEFINE_STRUCT(big, (std::uint32_t, id), (zg::bounded_bytes<2000>, data), (zg::bounded_string<8>, tag));
};
void f(zg::context<D>& ctx, zg::keypair const& k, zg::public_key const& server) {
  zg::socket<D, zg::tcp, zg::req, zg::curve_client, L, zg::service<big, small>> s(ctx, k, server);
}
