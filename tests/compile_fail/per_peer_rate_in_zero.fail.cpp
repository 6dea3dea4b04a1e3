// MESSAGE[zguard::per_peer_rate_in<RateLo, RateHi, BurstLo, BurstHi>: rates and bursts must be > 0 \(0 would refuse everyone\)]
#include "common.hpp"
// A rate range reaching 0: a configuration could refuse every peer.
using bad = zg::limits<zg::per_peer_rate_in<0, 100, 1, 10>>;
static_assert(sizeof(bad) > 0);
