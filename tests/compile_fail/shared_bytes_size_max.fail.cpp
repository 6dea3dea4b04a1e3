// MESSAGE[zguard::shared_bytes<N>: N must be <= 4294967295 \(the wire length prefix is 4 bytes at most\)]
// shared_bytes has bounded_bytes' wire form, so bounded_bytes' bound.
#include "common.hpp"
#include <cstdint>
struct huge {
  ZGUARD_SCHEMA("cf.huge", 1);
  BOOST_HANA_DEFINE_STRUCT(huge, (zg::shared_bytes<SIZE_MAX>, data));
};
static_assert(zg::max_encoded_size<huge> == SIZE_MAX);
