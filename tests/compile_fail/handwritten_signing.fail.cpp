// MESSAGE[zguard::socket: the signing slot holds a type that is not a zguard::signing<...>]
// A signing policy with a window of 1 and a freshness of 49 days.
#include "common.hpp"
struct my_signing : zg::signing<zg::ed25519> {
  static constexpr std::uint32_t freshness = 0xffffffff;
};
void f(zg::context<D>& ctx, zg::signing_key<zg::ed25519> const& key) {
  zg::socket<D, zg::ipc, zg::pub, zg::null_mechanism, LD, zg::topic<"t", small>, my_signing> s(ctx, key);
}
