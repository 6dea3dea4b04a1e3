// MESSAGE[zguard::one_of<A, B, ...>: a one_of cannot be an alternative of a one_of]
#include "common.hpp"
struct third {
  ZGUARD_SCHEMA("cf.third", 1);
  BOOST_HANA_DEFINE_STRUCT(third, (std::uint8_t, x));
};
void f(zg::context<D>& ctx) {
  zg::socket<D, zg::ipc, zg::pull, zg::null_mechanism, L,
             zg::stream<zg::one_of<zg::one_of<small, other_small>, third>>> s(ctx);
}
