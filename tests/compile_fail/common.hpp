// Shared preamble of the compile-fail cases.
#pragma once
#include <zguard/zguard.hpp>
// After the umbrella, so a diagnostic's "included from" chain stays the umbrella's.
#include <zguard/pipeline.hpp>
namespace zg = zguard;
using D = zg::domain<"cf">;
using L = zg::limits<zg::send_hwm<10>, zg::recv_hwm<10>, zg::block_when_full, zg::max_message_size<1024>,
                     zg::linger_ms<0>, zg::send_timeout_ms<100>, zg::recv_timeout_ms<100>,
                     zg::handshake_timeout_ms<1000>>;
using LD = zg::limits<zg::send_hwm<10>, zg::recv_hwm<10>, zg::drop_when_full, zg::max_message_size<1024>,
                      zg::linger_ms<0>, zg::send_timeout_ms<100>, zg::recv_timeout_ms<100>,
                      zg::handshake_timeout_ms<1000>>;
struct small {
  ZGUARD_SCHEMA("cf.small", 1);
  BOOST_HANA_DEFINE_STRUCT(small, (std::uint32_t, id), (zg::bounded_string<8>, name));
};
struct other_small {
  ZGUARD_SCHEMA("cf.other", 1);
  BOOST_HANA_DEFINE_STRUCT(other_small, (std::uint32_t, id));
};
