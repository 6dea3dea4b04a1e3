// MESSAGE[zguard::socket: the pattern slot holds a type that is not a zguard pattern tag]
// A PUB that claims to block: escapes the when_full rule and the pgm rule.
#include "common.hpp"
struct my_pub : zg::pub {
  static constexpr zg::when_full full = zg::when_full::blocks;
};
void f(zg::context<D>& ctx) {
  zg::socket<D, zg::ipc, my_pub, zg::null_mechanism, L> s(ctx);
}
