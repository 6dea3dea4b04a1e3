// The schemas the example service and client speak (docs/examples.md).
#pragma once

#include <zguard/zguard.hpp>

#include <iostream>
#include <string>

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

namespace example {

// The signed market-data feed (signed_publisher, signed_subscriber).
struct quote {
  ZGUARD_SCHEMA("example.quote", 1);
  BOOST_HANA_DEFINE_STRUCT(quote, (zg::bounded_string<8>, symbol), (std::int64_t, price_micros),
                           (std::uint32_t, sequence));
};
using feed_domain = zg::domain<"feed">;
// The topics a feed carries are types; --topic picks one of them.
using eur_quotes = zg::topic<"quotes.eur", quote>;
using usd_quotes = zg::topic<"quotes.usd", quote>;
using feed_limits = zg::limits<zg::send_hwm<10000>, zg::recv_hwm<10000>, zg::drop_when_full, zg::max_message_size<512>,
                               zg::linger_ms<0>, zg::send_timeout_ms<1000>, zg::recv_timeout_ms<500>,
                               zg::handshake_timeout_ms<5000>>;
// Subscribers accept quotes at most 10 s old, and 256 behind the newest.
using feed_signing = zg::signing<zg::ed25519, zg::freshness_ms<10000>, zg::replay_window<256>>;

// Calls f(topic{}) for the topic named on the command line.
template <class F>
int with_topic(std::string const& name, F&& f) {
  if (name == eur_quotes::name) return f(eur_quotes{});
  if (name == usd_quotes::name) return f(usd_quotes{});
  std::cerr << "unknown topic '" << name << "': quotes.eur or quotes.usd\n";
  return 2;
}

}  // namespace example
