// MESSAGE[zguard::one_of<A, B, ...>: two alternatives have the same schema name and version]
// The receiver picks the alternative by the header's name and version: two
// alike would make the choice ambiguous.
#include "common.hpp"
struct small_again {
  ZGUARD_SCHEMA("cf.small", 1);
  BOOST_HANA_DEFINE_STRUCT(small_again, (std::uint64_t, id));
};
void f(zg::context<D>& ctx) {
  zg::socket<D, zg::ipc, zg::pull, zg::null_mechanism, L, zg::stream<zg::one_of<small, small_again>>> s(ctx);
}
