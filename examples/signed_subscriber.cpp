// signed_subscriber: receives a signed feed over CURVE; only quotes whose
// Ed25519 signature, key id, topic, timestamp and sequence check out are
// delivered; every other message is dropped and logged as a JSON event.
#include <zguard/zguard.hpp>

#include <chrono>
#include <iostream>
#include <sstream>

#include "cli.hpp"
#include "demo_sockets.hpp"

namespace zg = zguard;
using namespace example;


int main(int argc, char** argv) {
  example::cli cli("signed_subscriber",
                   "Subscribes to one topic of a signed feed over CURVE and prints the\n"
                   "verified quotes. Exit status 0 when --count quotes arrived, 3 otherwise.",
                   {{"connect", "publisher endpoint", "tcp://127.0.0.1:5556", false},
                    {"cert", "subscriber CURVE certificate (public file; NAME_secret is read too)", "", true},
                    {"server-cert", "the publisher's public CURVE certificate", "", true},
                    {"verify-keys", "Ed25519 verify key files, comma-separated (several during a rotation)", "", true},
                    {"topic", "quotes.eur or quotes.usd", "quotes.eur", false},
                    {"count", "quotes to receive before exiting", "10", false},
                    {"timeout-s", "give up after this many seconds", "20", false},
                    example::log_sink_flag(), example::log_level_flag()});
  cli.parse(argc, argv);
  long const count = cli.number("count", 0, 1'000'000'000);
  auto const deadline = std::chrono::steady_clock::now() + std::chrono::seconds(cli.number("timeout-s", 1, 86'400));
  return with_topic(cli.get("topic"), [&]<class Topic>(Topic) {
    try {
      zg::context<feed_domain> ctx;
      cli.configure_log(ctx.events());
      auto keys = zg::load_keypair_certificate(cli.get("cert"));
      auto server = zg::load_public_certificate(cli.get("server-cert")).key;
      zg::verify_keys<zg::ed25519> trusted;
      std::stringstream files(cli.get("verify-keys"));
      for (std::string file; std::getline(files, file, ',');) trusted.add(zg::load_verify_key(file));
      subscriber_socket<Topic> sub(ctx, keys, server, trusted);
      sub.connect(cli.get("connect"));
      std::cout << subscriber_socket<Topic>::profile() << std::endl;
      long received = 0;
      while (received < count && std::chrono::steady_clock::now() < deadline) {
        auto q = sub.template receive<quote>();
        if (!q) continue;
        ++received;
        std::cout << "signed_subscriber: " << q->value.symbol.view() << " " << q->value.price_micros
                  << " seq " << q->origin.sequence << " key " << q->origin.key.hex() << std::endl;
      }
      std::uint64_t dropped = 0;
      for (auto const& [name, n] : ctx.events().counters())
        if (name.starts_with("verify.")) dropped += n;
      std::cout << "signed_subscriber: " << received << " verified quotes, " << dropped << " dropped" << std::endl;
      return received == count ? 0 : 3;
    } catch (std::exception const& e) {
      std::cerr << "signed_subscriber: " << e.what() << "\n";
      return 1;
    }
  });
}
