// MESSAGE[zguard channel: a schema with a bounded_string_view / bounded_bytes_view field \(at any depth\)]
// The view hides in an optional vector of a nested struct.
#include "common.hpp"
struct inner {
  BOOST_HANA_DEFINE_STRUCT(inner, (std::uint8_t, tag), (zg::bounded_bytes_view<16>, blob));
};
struct outer {
  ZGUARD_SCHEMA("cf.outer", 1);
  BOOST_HANA_DEFINE_STRUCT(outer, (std::optional<zg::bounded_vector<inner, 4>>, parts));
};
void f(zg::context<D>& ctx) {
  zg::socket<D, zg::ipc, zg::sub, zg::null_mechanism, LD, zg::topic<"t", outer>> s(ctx);
}
