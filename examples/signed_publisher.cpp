// signed_publisher: a market-data feed over CURVE (encrypted, subscribers
// authenticated by key) whose every message is also signed with Ed25519, so
// a subscriber accepts it even through relays it does not trust (G7).
#include <zguard/zguard.hpp>

#include <chrono>
#include <csignal>
#include <fstream>
#include <iostream>
#include <thread>

#include "cli.hpp"
#include "demo_sockets.hpp"

namespace zg = zguard;
using namespace example;


int main(int argc, char** argv) {
  example::cli cli("signed_publisher",
                   "Publishes example.quote messages on one topic, over CURVE, each signed\n"
                   "with an Ed25519 key (envelope: docs/wire-format.md).",
                   {{"bind", "endpoint to bind (tcp://host:port, port may be *)", "tcp://127.0.0.1:5556", false},
                    example::cert_flag("server"), example::allow_dir_flag("subscriber"),
                    {"signing-key", "Ed25519 signing key (zguard_keygen --sign ed25519; NAME_secret is read)", "", true},
                    {"topic", "quotes.eur or quotes.usd", "quotes.eur", false},
                    {"count", "quotes to publish (0: until SIGINT/SIGTERM)", "100", false},
                    {"interval-ms", "pause between quotes", "50", false},
                    example::endpoint_file_flag(),
                    example::log_sink_flag(), example::log_level_flag()});
  cli.parse(argc, argv);
  example::stop_on_signals();
  long const count = cli.number("count", 0, 1'000'000'000);
  auto const interval = std::chrono::milliseconds(cli.number("interval-ms", 0, 60'000));
  return with_topic(cli.get("topic"), [&]<class Topic>(Topic) {
    try {
      zg::context<feed_domain> ctx;
      cli.configure_log(ctx.events());
      zg::authenticator<feed_domain> auth(ctx);
      auth.allow_directory(cli.get("allow-dir"));
      auto keys = zg::load_keypair_certificate(cli.get("cert"));
      auto signing = zg::load_signing_key<zg::ed25519>(cli.get("signing-key"));
      publisher_socket<Topic> pub(ctx, auth, keys, signing);
      auto bound = pub.bind(cli.get("bind"));
      std::cout << "signed_publisher: " << Topic::name << " on " << bound.address << ", key id "
                << signing.id().hex() << "\n"
                << publisher_socket<Topic>::profile() << std::endl;
      if (!cli.get("endpoint-file").empty()) std::ofstream(cli.get("endpoint-file")) << bound.address << "\n";
      long sent = 0;
      for (std::uint32_t i = 1; !example::stop_requested() && (count == 0 || long(i) <= count); ++i) {
        quote q{Topic::name == "quotes.eur" ? "EURCHF" : "USDCHF", 930000 + std::int64_t(i % 100), i};
        if (pub.send(q)) ++sent;
        std::this_thread::sleep_for(interval);
      }
      std::cout << "signed_publisher: published " << sent << " quotes" << std::endl;
      return 0;
    } catch (std::exception const& e) {
      std::cerr << "signed_publisher: " << e.what() << "\n";
      return 1;
    }
  });
}
