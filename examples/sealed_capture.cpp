// sealed_capture: what a broker sees. A queue (CURVE ROUTER front, inproc
// DEALER back) with a capture socket, as an operator would attach one,
// carries the same call twice: on an unsealed service channel, then with
// zguard::sealed<> (G19). It prints what the capture holds each time: the
// first the message's text, the second ciphertext only. Exits 1 if the
// sealed capture holds any byte sequence of the message's text or the
// unsealed one does not (so the demo checks itself).
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
  return open_shows && !sealed_shows && !sealed_seen.empty() ? 0 : 1;
}
