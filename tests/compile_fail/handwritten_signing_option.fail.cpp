// MESSAGE[zguard::signing<Alg, ...>: every option must be zguard::freshness_ms<N> or zguard::replay_window<N>]
#include "common.hpp"
struct forever_fresh : zg::freshness_ms<1000> {
  static constexpr std::uint32_t value = 0xffffffff;
};
static_assert(zg::signing<zg::ed25519, forever_fresh>::freshness > 0);
