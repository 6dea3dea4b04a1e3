// Typed ROUTER services (G8): replies go back to the authenticated sender;
// a routing id is bound to the key that first presented it, so a peer that
// copies a victim's routing id under its own key is refused and logged;
// a reply to a peer that is gone is an error, not a silent drop.
#include "schemas.hpp"
#include "support.hpp"

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
      REQUIRE(reply);
      REQUIRE(reply->ok());
      CHECK((*reply)->id == o.id);
      CHECK((*reply)->note.view() == client_keys[c].public_part().z85().substr(0, 8));
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

  auto [rc, out] = run_command(std::string(ZGUARD_SYSTEM_PYTHON) + " " + ZGUARD_TEST_SCRIPTS + "/router_spoof.py " +
                               server.endpoint + " " + (dir.path / "server.cert").string() + " " +
                               (dir.path / "victim.cert_secret").string() + " " +
                               (dir.path / "attacker.cert_secret").string());
  CHECK(rc == 0);
  auto const v8 = victim.public_part().z85().substr(0, 8);
  CHECK(out == "victim: ack 1 " + v8 + "\n"
               "attacker while the victim is connected: no reply\n"
               "victim: ack 2 " + v8 + "\n"
               "attacker after the victim left: no reply\n");
  // The squatter's message reached zguard and was refused by the binding.
  REQUIRE(eventually([&] { return !seen.named("router.identity_mismatch").empty(); }));
  auto e = seen.named("router.identity_mismatch").front();
  CHECK(e.field("routing_id") == "76696374696d");  // "victim"
  CHECK(e.field("bound_user_id") == victim.public_part().z85());
  CHECK(e.field("user_id") == attacker.public_part().z85());
  // Everyone else is still served.
  client_t other(ctx, bystander, server_keys.public_part());
  other.connect(server.endpoint);
  auto reply = other.call(sample_order());
  REQUIRE(reply);
  CHECK(reply->ok());
}

TEST_CASE("ROUTER: a reply to a peer that is gone is an error, logged") {
  captured_events seen;
  zg::context<test_domain> ctx(seen.sink());
  zg::authenticator<test_domain> auth(ctx);
  auto server_keys = zg::keypair::generate(), client_keys = zg::keypair::generate();
  auth.allow(client_keys.public_part());
  router_t router(ctx, auth, server_keys);
  auto ep = router.bind("tcp://127.0.0.1:*");
  auto client = std::make_unique<client_t>(ctx, client_keys, server_keys.public_part());
  client->connect(ep);
  auto const request = zg::encode(sample_order());
  REQUIRE(client->send_message(sample_order()));
  auto got = router.receive_message<order>();
  REQUIRE(got);
  CHECK(got->from.user_id() == client_keys.public_part().z85());
  auto handle = got->from;  // copyable, but only ever made by the socket
  client.reset();           // the peer goes away before the reply
  CHECK(eventually([&] { return !router.send_message(handle, order_ack{1, true, "late"}); }));
  CHECK(ctx.events().count("send.unroutable") >= 1);
}
