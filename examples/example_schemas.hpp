// The schemas the example service and client speak (docs/examples.md).
#pragma once

#include <zguard/zguard.hpp>

namespace example {
namespace zg = zguard;

struct request {
  ZGUARD_SCHEMA("example.request", 1);
  BOOST_HANA_DEFINE_STRUCT(request, (std::uint32_t, sequence), (zg::bounded_string<1024>, text));
};

struct reply {
  ZGUARD_SCHEMA("example.reply", 1);
  BOOST_HANA_DEFINE_STRUCT(reply, (std::uint32_t, sequence), (std::uint64_t, served),
                           (zg::bounded_string<1100>, text));
};

using service_channel = zg::service<request, reply>;
using service_domain = zg::domain<"example">;

}  // namespace example
