// MESSAGE[zguard channel: a schema with a bounded_string_view / bounded_bytes_view field \(at any depth\) cannot be carried by a socket]
// A view in any alternative would dangle once the socket frees the frames.
#include "common.hpp"
struct viewed {
  ZGUARD_SCHEMA("cf.viewed", 1);
  BOOST_HANA_DEFINE_STRUCT(viewed, (zg::bounded_string_view<32>, text));
};
void f(zg::context<D>& ctx) {
  zg::socket<D, zg::ipc, zg::pull, zg::null_mechanism, L, zg::stream<zg::one_of<small, viewed>>> s(ctx);
}
