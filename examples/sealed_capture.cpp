// sealed_capture: what a broker sees. A queue (CURVE ROUTER front, inproc
// DEALER back) with a capture socket, as an operator would attach one,
// carries the same call twice: on an unsealed service channel, then with
// zguard::sealed<> (G19). It prints what the capture holds each time: the
// first the message's text, the second ciphertext only. Then the same for
// a signed quote feed through a forwarder (XSUB/XPUB) with a capture:
// signed only, the capture reads the quote; sealed, the publisher's epoch
// key goes to its one member, and the capture reads topic and envelope
// header only. Exits 1 if a sealed capture holds any 8 bytes of the text
// (the quote's symbol) or an unsealed one does not (so the demo checks
// itself).
#include <zguard/zguard.hpp>

#include <algorithm>
#include <iostream>
#include <stop_token>
#include <string>
#include <thread>

#include "cli.hpp"
#include "example_schemas.hpp"

namespace zg = zguard;
using namespace example;

namespace {

using limits = zg::limits<zg::send_hwm<100>, zg::recv_hwm<100>, zg::block_when_full, zg::max_message_size<4096>,
                          zg::linger_ms<0>, zg::send_timeout_ms<1000>, zg::recv_timeout_ms<1000>,
                          zg::handshake_timeout_ms<5000>>;
using inproc_limits = zg::limits<zg::send_hwm<100>, zg::recv_hwm<100>, zg::block_when_full, zg::linger_ms<0>,
                                 zg::send_timeout_ms<1000>, zg::recv_timeout_ms<1000>>;
using front_t = zg::socket<service_domain, zg::tcp, zg::router, zg::curve_server, limits>;
using back_t = zg::socket<service_domain, zg::inproc, zg::dealer, zg::null_mechanism, inproc_limits>;
using capture_t = zg::socket<service_domain, zg::inproc, zg::push, zg::null_mechanism, inproc_limits>;
using capture_reader_t = zg::socket<service_domain, zg::inproc, zg::pull, zg::null_mechanism, inproc_limits>;
// The ends: the same channel, unsealed and sealed.
using open_client = zg::socket<service_domain, zg::tcp, zg::req, zg::curve_client, limits, service_channel>;
using open_worker = zg::socket<service_domain, zg::inproc, zg::rep, zg::null_mechanism, inproc_limits, service_channel>;
using sealed_client =
    zg::socket<service_domain, zg::tcp, zg::req, zg::curve_client, limits, service_channel, zg::sealed<>>;
using sealed_worker =
    zg::socket<service_domain, zg::inproc, zg::rep, zg::null_mechanism, inproc_limits, service_channel, zg::sealed<>>;

// The feed: a signed topic, and the same sealed to its members (at most 4).
using feed_inproc_limits = zg::limits<zg::send_hwm<1000>, zg::recv_hwm<1000>, zg::drop_when_full,
                                      zg::max_message_size<512>, zg::linger_ms<0>, zg::send_timeout_ms<1000>,
                                      zg::recv_timeout_ms<200>>;
using feed_sealing = zg::sealed<zg::max_members<4>, zg::announce_ms<50>>;
using open_pub = zg::socket<feed_domain, zg::inproc, zg::pub, zg::null_mechanism, feed_inproc_limits, eur_quotes,
                            feed_signing>;
using open_sub = zg::socket<feed_domain, zg::inproc, zg::sub, zg::null_mechanism, feed_inproc_limits, eur_quotes,
                            feed_signing>;
using sealed_pub = zg::socket<feed_domain, zg::inproc, zg::pub, zg::null_mechanism, feed_inproc_limits, eur_quotes,
                              feed_signing, feed_sealing>;
using sealed_sub = zg::socket<feed_domain, zg::inproc, zg::sub, zg::null_mechanism, feed_inproc_limits, eur_quotes,
                              feed_signing, feed_sealing>;
using feed_front_t = zg::socket<feed_domain, zg::inproc, zg::xsub, zg::null_mechanism, feed_inproc_limits>;
using feed_back_t = zg::socket<feed_domain, zg::inproc, zg::xpub, zg::null_mechanism, feed_inproc_limits>;
using feed_capture_limits = zg::limits<zg::send_hwm<1000>, zg::recv_hwm<1000>, zg::block_when_full, zg::linger_ms<0>,
                                       zg::send_timeout_ms<1000>, zg::recv_timeout_ms<200>>;
using feed_capture_t = zg::socket<feed_domain, zg::inproc, zg::push, zg::null_mechanism, feed_capture_limits>;
using feed_reader_t = zg::socket<feed_domain, zg::inproc, zg::pull, zg::null_mechanism, feed_capture_limits>;

// Quotes through a capturing forwarder until the subscriber has one with
// `symbol`; returns every byte the capture saw.
template <class Pub, class Sub>
std::string quotes_through_forwarder(std::string const& name, std::string const& symbol) {
  zg::context<feed_domain> ctx([](zg::security_event const&) {});
  auto const signer = zg::signing_key<zg::ed25519>::generate();
  zg::verify_keys<zg::ed25519> publishers;
  publishers.add(signer.verify_part());
  auto const member = zg::sealing_key::generate();  // the subscriber's; the publisher holds its public part
  feed_front_t front(ctx);
  feed_back_t back(ctx);
  feed_capture_t capture(ctx);
  feed_reader_t reader(ctx);
  auto const front_ep = front.bind(zg::endpoint<zg::inproc, feed_domain>("inproc://" + name + "-in"));
  auto const back_ep = back.bind(zg::endpoint<zg::inproc, feed_domain>("inproc://" + name + "-out"));
  reader.connect(capture.bind(zg::endpoint<zg::inproc, feed_domain>("inproc://" + name + "-capture")));
  zg::proxy<feed_front_t, feed_back_t> forwarder(ctx, front, back, capture);
  auto publisher = [&] {
    if constexpr (zg::traits_of<Pub>::is_sealed) return Pub(ctx, signer, zg::sealing_members{member.public_part()});
    else return Pub(ctx, signer);
  }();
  auto subscriber = [&] {
    if constexpr (zg::traits_of<Sub>::is_sealed) return Sub(ctx, publishers, member);
    else return Sub(ctx, publishers);
  }();
  publisher.connect(front_ep);
  subscriber.connect(back_ep);
  bool got = false;
  for (int i = 0; i < 100 && !got; ++i) {  // until the subscription (and a key announcement) came through
    (void)publisher.send(quote{symbol, 4111111111111111, std::uint32_t(i)});
    if (auto q = subscriber.receive()) got = q->value.symbol.view() == symbol;
  }
  std::cout << "  subscriber: " << (got ? "read the quote for " + symbol : std::string("read nothing")) << "\n";
  std::string seen;
  int shown = 0;
  for (int i = 0; i < 400; ++i) {
    auto frames = reader.receive_multipart();
    if (!frames) break;
    for (auto const& f : *frames) {
      std::string const bytes(static_cast<char const*>(f.data()), f.size());
      if (shown++ < 6)
        std::cout << "  captured " << f.size() << " bytes: " << zg::printable(bytes.substr(0, 72))
                  << (f.size() > 72 ? "..." : "") << "\n";
      seen += bytes;
    }
  }
  forwarder.terminate();
  return got ? seen : std::string();
}

// One call through a capturing queue; returns every byte the capture saw.
template <class Client, class Worker>
std::string call_through_queue(std::string const& name, std::string const& text, zg::sealing_key const& sealing) {
  zg::context<service_domain> ctx([](zg::security_event const&) {});  // quiet: the capture is the point
  zg::authenticator<service_domain> auth(ctx);
  auto const server_keys = zg::keypair::generate(), client_keys = zg::keypair::generate();
  auth.allow(client_keys.public_part());
  front_t front(ctx, auth, server_keys);
  back_t back(ctx);
  capture_t capture(ctx);
  capture_reader_t reader(ctx);
  auto const front_ep = front.bind("tcp://127.0.0.1:*");
  auto const back_ep = back.bind(zg::endpoint<zg::inproc, service_domain>("inproc://" + name + "-workers"));
  reader.connect(capture.bind(zg::endpoint<zg::inproc, service_domain>("inproc://" + name + "-capture")));
  zg::proxy<front_t, back_t> queue(ctx, front, back, capture);
  std::jthread worker([&](std::stop_token stop) {
    auto make = [&] {
      if constexpr (zg::traits_of<Worker>::is_sealed) return Worker(ctx, sealing);
      else return Worker(ctx);
    };
    auto rep = make();
    rep.connect(back_ep);
    rep.serve([](request const& r, zg::peer_info const&) { return reply{r.sequence, 1, "served: " + r.text.str()}; },
              stop);
  });
  std::string seen;
  {
    auto client = [&] {
      if constexpr (zg::traits_of<Client>::is_sealed)
        return Client(ctx, client_keys, server_keys.public_part(), sealing.public_part());
      else return Client(ctx, client_keys, server_keys.public_part());
    }();
    client.connect(front_ep);
    auto r = client.call(request{1, text});
    std::cout << "  call: " << (r.ok() ? "answered \"" + zg::printable(r.value().text.view()) + "\"" : r.reason())
              << "\n";
  }
  for (int i = 0; i < 8; ++i) {  // the request and the reply, each [routing id] [delimiter] [payload]
    auto frames = reader.receive_multipart();
    if (!frames) break;
    for (auto const& f : *frames) {
      std::string const bytes(static_cast<char const*>(f.data()), f.size());
      std::cout << "  captured " << f.size() << " bytes: " << zg::printable(bytes.substr(0, 72))
                << (f.size() > 72 ? "..." : "") << "\n";
      seen += bytes;
    }
  }
  worker.request_stop();
  worker.join();
  queue.terminate();
  return seen;
}

// Whether `haystack` holds any 8 consecutive bytes of `text` (or all of a shorter one).
bool shows_text(std::string const& haystack, std::string const& text) {
  std::size_t const piece = std::min<std::size_t>(8, text.size());
  for (std::size_t at = 0; at + piece <= text.size(); ++at)
    if (haystack.find(text.substr(at, piece)) != std::string::npos) return true;
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  example::cli cli("sealed_capture",
                   "Shows what a broker's capture holds of one call: unsealed, then sealed end to end.",
                   {{"message", "the request's text", "card 4111 1111 1111 1111, exp 12/29", false}});
  cli.parse(argc, argv);
  auto const text = cli.get("message");
  auto const sealing = zg::sealing_key::generate();  // the service's; clients hold its public part
  std::cout << "-- unsealed: the broker's capture\n";
  auto const open_seen = call_through_queue<open_client, open_worker>("open", text, sealing);
  std::cout << "-- sealed<> (the service's sealing key " << sealing.id().hex() << "): the same capture\n";
  auto const sealed_seen = call_through_queue<sealed_client, sealed_worker>("sealed", text, sealing);
  bool const open_shows = shows_text(open_seen, text), sealed_shows = shows_text(sealed_seen, text);
  std::cout << "sealed_capture: the unsealed capture " << (open_shows ? "shows" : "does not show")
            << " the text; the sealed capture " << (sealed_shows ? "SHOWS" : "shows no 8 bytes of it") << " ("
            << sealed_seen.size() << " bytes captured)\n";
  std::string const symbol = "ACME-Q4";
  std::cout << "-- a signed feed through a forwarder: its capture\n";
  auto const open_feed = quotes_through_forwarder<open_pub, open_sub>("feed-open", symbol);
  std::cout << "-- the same feed sealed<> to its one member: the same capture\n";
  auto const sealed_feed = quotes_through_forwarder<sealed_pub, sealed_sub>("feed-sealed", symbol);
  bool const feed_open_shows = shows_text(open_feed, symbol), feed_sealed_shows = shows_text(sealed_feed, symbol);
  std::cout << "sealed_capture: the signed feed's capture " << (feed_open_shows ? "shows" : "does not show")
            << " the symbol; the sealed feed's " << (feed_sealed_shows ? "SHOWS" : "shows none of it") << " ("
            << sealed_feed.size() << " bytes captured)\n";
  return open_shows && !sealed_shows && !sealed_seen.empty() && feed_open_shows && !feed_sealed_shows &&
                 !sealed_feed.empty()
             ? 0
             : 1;
}
