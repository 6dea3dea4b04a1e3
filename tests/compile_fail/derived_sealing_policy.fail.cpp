// MESSAGE[zguard::socket: the sealing slot holds a type that is not a zguard::sealed<...>]
// A sealing policy with a day-long freshness, by derivation.
#include "common.hpp"
struct my_sealed : zg::sealed<> {
  static constexpr std::uint32_t freshness = 86400000;
};
void f(zg::context<D>& ctx, zg::sealing_key const& key) {
  zg::socket<D, zg::ipc, zg::rep, zg::null_mechanism, L, zg::service<small, small>, my_sealed> s(ctx, key);
}
