// MESSAGE[zguard::bounded_bytes<N>: N must be <= 4294967295 \(the wire length prefix is 4 bytes at most\)]
// bounded_bytes<SIZE_MAX> used to compute a largest encoding of 14 bytes.
#include "common.hpp"
#include <cstdint>
struct huge {
  ZGUARD_SCHEMA("cf.huge", 1);
  BOOST_HANA_DEFINE_STRUCT(huge, (zg::bounded_bytes<SIZE_MAX>, data));
};
// Even past this error the size saturates: no socket could take it.
static_assert(zg::max_encoded_size<huge> == SIZE_MAX);
