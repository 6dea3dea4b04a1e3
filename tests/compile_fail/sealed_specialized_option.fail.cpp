// MESSAGE[zguard::socket: sealed<...>'s options out of bounds: freshness 1..600000 ms, replay window a multiple of 64 in 64..65536]
// An explicit specialization is the option's own template, so the closed
// set admits it: its value is checked where the socket reads it.
#include "common.hpp"
template <>
struct zguard::freshness_ms<1000> {
  using option_tag = zguard::detail::freshness_option;
  static constexpr std::uint32_t value = 0xffffffff;  // 49 days: a month-old request would open
};
void f(zg::context<D>& ctx, zg::sealing_key const& key) {
  zg::socket<D, zg::ipc, zg::rep, zg::null_mechanism, L, zg::service<small, small>, zg::sealed<zg::freshness_ms<1000>>>
      s(ctx, key);
}
