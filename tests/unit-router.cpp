// Typed ROUTER services (G8): replies go back to the authenticated sender;
// a routing id is bound to the key that first presented it, so a peer that
// copies a victim's routing id under its own key is refused and logged;
// a reply to a peer that is gone is an error, not a silent drop.
#include "schemas.hpp"
#include "support.hpp"

#include <atomic>
#include <future>
#include <set>
#include <stop_token>
#include <thread>

using namespace zguard_test;
using namespace std::chrono_literals;

namespace {

using order_service = zg::service<order, order_ack>;
// block_when_full: the ROUTER sets ROUTER_MANDATORY, so unroutable replies are errors.
using router_t = zg::socket<test_domain, zg::tcp, zg::router, zg::curve_server, rr_limits, order_service>;
using client_t = zg::socket<test_domain, zg::tcp, zg::req, zg::curve_client, rr_limits, order_service>;

// Acks each order with the first 8 characters of the sender's key.
order_ack ack_with_sender(order const& o, zg::peer_info const& peer) {
  return order_ack{o.id, true, peer.user_id.substr(0, 8)};
}

struct router_server : serving<router_t> {
  router_server(zg::context<test_domain>& ctx, zg::authenticator<test_domain>& auth, zg::keypair const& keys)
      : serving(ctx, auth, keys, ack_with_sender) {}
};

}  // namespace

TEST_CASE("typed ROUTER: every reply goes back to its authenticated sender") {
  captured_events seen;
  zg::context<test_domain> ctx(seen.sink());
  zg::authenticator<test_domain> auth(ctx);
  auto server_keys = zg::keypair::generate();
  std::vector<zg::keypair> client_keys;
  for (int i = 0; i < 3; ++i) {
    client_keys.push_back(zg::keypair::generate());
    auth.allow(client_keys.back().public_part());
  }
  router_server server(ctx, auth, server_keys);
  std::vector<std::unique_ptr<client_t>> clients;
  for (auto const& k : client_keys) {
    clients.push_back(std::make_unique<client_t>(ctx, k, server_keys.public_part()));
    clients.back()->connect(server.endpoint);
  }
  for (std::uint64_t round = 1; round <= 5; ++round)
    for (std::size_t c = 0; c < clients.size(); ++c) {
      auto o = sample_order();
      o.id = round * 10 + c;
      auto reply = clients[c]->call(o);
      REQUIRE_MESSAGE(reply.ok(), reply.reason());
      CHECK(reply->id == o.id);
      CHECK(reply->note.view() == client_keys[c].public_part().z85().substr(0, 8));
    }
  CHECK(ctx.events().count("router.identity_mismatch") == 0);
}

TEST_CASE("ROUTER: a pyzmq peer presenting a victim's routing id under its own key is refused") {
  temp_dir dir;
  captured_events seen;
  zg::context<test_domain> ctx(seen.sink());
  zg::authenticator<test_domain> auth(ctx);
  auto server_keys = zg::keypair::generate(), victim = zg::keypair::generate(),
       attacker = zg::keypair::generate(), bystander = zg::keypair::generate();
  for (auto const* k : {&victim, &attacker, &bystander}) auth.allow(k->public_part());
  zg::save_certificate(dir.path / "server.cert", server_keys);
  zg::save_certificate(dir.path / "victim.cert", victim);
  zg::save_certificate(dir.path / "attacker.cert", attacker);
  router_server server(ctx, auth, server_keys);

  auto [rc, out] = run_command(python_script("router_spoof.py " + server.endpoint + " " +
                                             (dir.path / "server.cert").string() + " " +
                                             (dir.path / "victim.cert_secret").string() + " " +
                                             (dir.path / "attacker.cert_secret").string()));
  CHECK(rc == 0);
  auto const v8 = victim.public_part().z85().substr(0, 8);
  CHECK(out == "victim: ack 1 " + v8 + "\n"
               "attacker while the victim is connected: no reply\n"
               "victim: ack 2 " + v8 + "\n"
               "attacker after the victim left: no reply\n");
  // The attacker's messages reached zguard and were refused: a chosen
  // routing id is never served (the victim used libzmq's own id).
  REQUIRE(eventually([&] { return !seen.named("router.peer_chosen_id").empty(); }));
  auto e = seen.named("router.peer_chosen_id").front();
  CHECK(e.field("routing_id") == "76696374696d");  // "victim"
  CHECK(e.field("user_id") == attacker.public_part().z85());
  for (auto const& refused : seen.named("router.peer_chosen_id"))
    CHECK(refused.field("user_id") == attacker.public_part().z85());
  // Everyone else is still served.
  client_t other(ctx, bystander, server_keys.public_part());
  other.connect(server.endpoint);
  auto reply = other.call(sample_order());
  CHECK_MESSAGE(reply.ok(), reply.reason());
}

TEST_CASE("ROUTER: a reply to a peer that is gone is an error, logged") {
  captured_events seen;
  curve_pair p(seen.sink());
  p.auth.allow(p.client_keys.public_part());
  router_t router(p.ctx, p.auth, p.server_keys);
  auto ep = router.bind("tcp://127.0.0.1:*");
  auto client = std::make_unique<client_t>(p.ctx, p.client_keys, p.server_keys.public_part());
  client->connect(ep);
  auto const request = zg::encode(sample_order());
  REQUIRE(client->send(sample_order()));
  auto got = router.receive<order>();
  REQUIRE(got);
  zg::routed<order> const& message = *got;
  CHECK(message.from.user_id() == p.client_keys.public_part().z85());
  auto handle = message.from;  // copyable, but only ever made by the socket
  CHECK(handle == message.from);
  client.reset();  // the peer goes away before the reply
  for (int i = 0; i < 6; ++i) (void)zg::poll(std::chrono::milliseconds(50), router);  // the ROUTER sees it go
  CHECK_FALSE(router.reply(message, order_ack{1, true, "late"}));  // one answer per request: one try
  // Refused before libzmq is asked (the connection is gone), or by
  // ROUTER_MANDATORY if the disconnect was not seen yet.
  CHECK(p.ctx.events().count("router.stale_peer") + p.ctx.events().count("send.unroutable") >= 1);
}

TEST_CASE("token buckets: burst, refill, and one peer does not drain another") {
  zg::detail::token_buckets buckets(50, 10);
  zg::detail::bucket_id const flooder{zg::identity_kind::user, "flooder"};
  auto const t0 = std::chrono::steady_clock::now();
  int admitted = 0;
  for (int i = 0; i < 30; ++i) admitted += buckets.admit(flooder, t0);
  CHECK(admitted == 10);
  CHECK(buckets.admit({zg::identity_kind::user, "neighbour"}, t0));
  admitted = 0;
  for (int i = 0; i < 30; ++i) admitted += buckets.admit(flooder, t0 + 100ms);
  CHECK(admitted == 5);  // 0.1 s at 50/s
  admitted = 0;
  for (int i = 0; i < 30; ++i) admitted += buckets.admit(flooder, t0 + 10s);
  CHECK(admitted == 10);  // refilled to the burst, not beyond
}

TEST_CASE("token buckets: a peer is its identity with its kind, an address is never an identity") {
  zg::detail::token_buckets buckets(1, 3);
  auto const t0 = std::chrono::steady_clock::now();
  std::string const text = zg::keypair::generate().public_part().z85();
  for (int i = 0; i < 3; ++i) CHECK(buckets.admit({zg::identity_kind::key, text}, t0));
  CHECK_FALSE(buckets.admit({zg::identity_kind::key, text}, t0));
  // The PLAIN user of the same text, and an address of it, have buckets of their own.
  CHECK(buckets.admit({zg::identity_kind::user, text}, t0));
  CHECK(buckets.admit({std::nullopt, text}, t0));
  CHECK(buckets.peers() == 3);
  // Which one a socket takes: its mechanism decides; no User-Id, the address.
  auto const curve = zg::detail::bucket_of(zg::mechanism_kind::curve, text, "10.0.0.1", false);
  CHECK((curve.kind == zg::identity_kind::key && curve.text == text));
  auto const plain = zg::detail::bucket_of(zg::mechanism_kind::plain, text, "10.0.0.1", false);
  CHECK((plain.kind == zg::identity_kind::user && plain.text == text));
  auto const null = zg::detail::bucket_of(zg::mechanism_kind::null, "", "10.0.0.1", false);
  CHECK((!null.kind && null.text == "10.0.0.1"));
  auto const client = zg::detail::bucket_of(zg::mechanism_kind::curve, "", "10.0.0.1", false);
  CHECK((!client.kind && client.text == "10.0.0.1"));
  // Texts longer than any User-Id still get a bucket of their own.
  std::string const long_text(400, 'x');
  CHECK(buckets.admit({zg::identity_kind::user, long_text}, t0));
  CHECK(buckets.peers() == 4);
}

TEST_CASE("ROUTER rate limit: a flooding peer is refused, a well-behaved peer is served in full") {
  captured_events seen;
  zg::context<test_domain> ctx(seen.sink());
  zg::authenticator<test_domain> auth(ctx);
  auto server_keys = zg::keypair::generate(), flooder_keys = zg::keypair::generate(),
       polite_keys = zg::keypair::generate();
  auth.allow(flooder_keys.public_part());
  auth.allow(polite_keys.public_part());
  using limited = zg::limits<zg::send_hwm<1000>, zg::recv_hwm<1000>, zg::block_when_full, zg::max_message_size<4096>,
                             zg::linger_ms<0>, zg::send_timeout_ms<1000>, zg::recv_timeout_ms<500>,
                             zg::handshake_timeout_ms<2000>, zg::per_peer_rate<50, 10>>;
  using limited_router = zg::socket<test_domain, zg::tcp, zg::router, zg::curve_server, limited, order_service>;
  CHECK(limited_router::profile().find("per_peer_rate=50/s burst 10") != std::string::npos);
  serving<limited_router> server(ctx, auth, server_keys, ack_with_sender);

  zmq::context_t raw;
  auto flooder = raw_curve(raw, zmq::socket_type::dealer, flooder_keys, server_keys, 2000, -1);
  flooder.connect(server.endpoint);

  constexpr int flood = 300, polite_calls = 20;
  std::atomic<int> polite_ok = 0;
  std::jthread polite([&] {
    client_t client(ctx, polite_keys, server_keys.public_part());
    client.connect(server.endpoint);
    for (int i = 0; i < polite_calls; ++i) {
      auto reply = client.call(sample_order());
      if (reply.ok()) ++polite_ok;
      std::this_thread::sleep_for(30ms);  // ~30 requests a second: under the limit
    }
  });
  auto const request = zg::encode(sample_order());
  auto const t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < flood; ++i) {
    (void)flooder.send(zmq::const_buffer(nullptr, 0), zmq::send_flags::sndmore);
    (void)flooder.send(zmq::buffer(request));
  }
  int acks = 0, refusals = 0;
  for (int i = 0; i < flood; ++i) {
    std::vector<zmq::message_t> frames;
    if (!zmq::recv_multipart(flooder, std::back_inserter(frames))) break;
    auto const& body = frames.back();
    if (zg::decode<order_ack>(body.data(), body.size())) ++acks;
    else if (auto r = zg::decode<zg::refusal>(body.data(), body.size());
             r && r->field.view().starts_with("rate limited; retry after "))
      ++refusals;
  }
  double const elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  polite.join();
  MESSAGE("flooder: " << acks << " served, " << refusals << " refused in " << elapsed << " s");
  CHECK(acks + refusals == flood);
  CHECK(acks <= 10 + int(50 * elapsed) + 1);
  CHECK(refusals > 0);
  CHECK(ctx.events().count("rate.limited") == std::uint64_t(refusals));
  CHECK(polite_ok == polite_calls);  // the neighbour was never slowed to a refusal
  for (auto const& e : seen.named("rate.limited")) CHECK(e.field("user_id") == flooder_keys.public_part().z85());
}
