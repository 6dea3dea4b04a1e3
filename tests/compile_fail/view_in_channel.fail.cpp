// MESSAGE[zguard channel: a schema with a bounded_string_view / bounded_bytes_view field \(at any depth\) cannot be carried by a socket]
// receive would decode the view into frames it frees: use after free.
#include "common.hpp"
struct viewed {
  ZGUARD_SCHEMA("cf.viewed", 1);
  BOOST_HANA_DEFINE_STRUCT(viewed, (std::uint32_t, id), (zg::bounded_string_view<32>, text));
};
void f(zg::context<D>& ctx) {
  zg::socket<D, zg::ipc, zg::pull, zg::null_mechanism, L, zg::stream<viewed>> s(ctx);
}
