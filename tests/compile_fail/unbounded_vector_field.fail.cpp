// MESSAGE[a field has an unbounded type]
#include "common.hpp"
// MESSAGE[unbounded_field_use_bounded_string_or_bounded_vector<.*"prices"]
struct loose {
  ZGUARD_SCHEMA("cf.loose", 1);
  BOOST_HANA_DEFINE_STRUCT(loose, (std::vector<std::int64_t>, prices));
};
void f(zg::context<D>& ctx) {
  zg::socket<D, zg::inproc, zg::push, zg::null_mechanism, L, zg::stream<loose>> s(ctx);
}
