// Replies to the wrong client (attacks on G8 across disconnects): a
// request's reply may only reach the connection the request came in on.
// The attacker learns the victim's routing id (here: from the server's
// handle or the broker's capture socket, standing in for any leak), waits
// for the victim to disconnect while its reply is pending, connects with
// that id under its own allowed key and sends nothing. The typed ROUTER
// (deferred reply) and the queue proxy (slow worker) must refuse to send.
// Peer-chosen routing ids, the lever of the attack, are refused outright.
#include "router_attack.hpp"
#include "schemas.hpp"
#include "support.hpp"

#include <chrono>
#include <string>
#include <thread>

using namespace zguard_test;
using namespace std::chrono_literals;

namespace {

using order_service = zg::service<order, order_ack>;
using router_t = zg::socket<test_domain, zg::tcp, zg::router, zg::curve_server, rr_limits, order_service>;

}  // namespace

TEST_CASE("typed ROUTER: a deferred reply never reaches a squatter that took the requester's routing id") {
  squat_scene scene;
  auto& [seen, ctx, auth, server_keys, victim_keys, attacker_keys] = scene;
  router_t router(ctx, auth, server_keys);
  auto ep = router.bind("tcp://127.0.0.1:*");

  zmq::context_t raw;
  auto victim = curve_dealer(raw, victim_keys, server_keys.public_part());
  victim.connect(ep.address);
  send_request(victim, numbered_order(1));
  auto got = router.receive<order>();  // the asynchronous server keeps the handle
  REQUIRE(got);
  auto const handle = got->from;
  auto const victim_id = unhex(handle.routing_id_hex());
  CHECK(zg::detail::libzmq_assigned_routing_id(victim_id));

  victim.close();  // gone before the answer
  // The server keeps receiving meanwhile (nothing comes): libzmq sees the
  // victim go and releases its id; then the attacker takes it.
  for (int i = 0; i < 6; ++i) (void)zg::poll(50ms, router);
  auto attacker = curve_dealer(raw, attacker_keys, server_keys.public_part(), victim_id);
  attacker.connect(ep.address);
  for (int i = 0; i < 6; ++i) (void)zg::poll(50ms, router);

  CHECK_FALSE(router.send(handle, order_ack{1, true, "victim's data"}));
  CHECK_FALSE(got_anything(attacker));
  auto stale = seen.named("router.stale_peer");
  REQUIRE(!stale.empty());
  CHECK(stale.back().field("reason") == "connection closed");
  CHECK(stale.back().field("user_id") == victim_keys.public_part().z85());

  // The server goes on serving others.
  zg::socket<test_domain, zg::tcp, zg::req, zg::curve_client, rr_limits, order_service> other(
      ctx, victim_keys, server_keys.public_part());
  other.connect(ep);
  REQUIRE(other.send(numbered_order(2)));
  auto next = router.receive<order>();
  REQUIRE(next);
  REQUIRE(router.send(next->from, order_ack{2, true, "ok"}));
  auto reply = other.receive<order_ack>();
  REQUIRE(reply);
  CHECK(reply->value.id == 2);
}

TEST_CASE("typed ROUTER: a reply while the requester is still connected arrives, and peer-chosen ids are refused") {
  captured_events seen;
  zg::context<test_domain> ctx(seen.sink());
  zg::authenticator<test_domain> auth(ctx);
  auto server_keys = zg::keypair::generate(), client_keys = zg::keypair::generate();
  auth.allow(client_keys.public_part());
  router_t router(ctx, auth, server_keys);
  auto ep = router.bind("tcp://127.0.0.1:*");
  zmq::context_t raw;

  auto chooser = curve_dealer(raw, client_keys, server_keys.public_part(), "my-own-id");
  chooser.connect(ep.address);
  send_request(chooser, numbered_order(1));
  CHECK_FALSE(router.receive<order>());  // refused, not delivered
  CHECK_FALSE(got_anything(chooser));
  REQUIRE(seen.named("router.peer_chosen_id").size() == 1);
  CHECK(seen.named("router.peer_chosen_id").front().field("routing_id") == "6d792d6f776e2d6964");

  auto client = curve_dealer(raw, client_keys, server_keys.public_part());
  client.connect(ep.address);
  send_request(client, numbered_order(2));
  auto got = router.receive<order>();
  REQUIRE(got);
  std::this_thread::sleep_for(200ms);  // a deferred answer, still connected
  REQUIRE(router.send(got->from, order_ack{2, true, "late but fine"}));
  CHECK(got_anything(client));
}

TEST_CASE("queue proxy: a slow worker's reply is dropped once its client disconnected, never given to a squatter") {
  squat_scene scene;
  auto& [seen, ctx, auth, server_keys, victim_keys, attacker_keys] = scene;
  using broker_front = zg::socket<test_domain, zg::tcp, zg::router, zg::curve_server, rr_limits>;
  using broker_back = zg::socket<test_domain, zg::inproc, zg::dealer, zg::null_mechanism, inproc_limits>;
  using capture_t = zg::socket<test_domain, zg::inproc, zg::push, zg::null_mechanism, inproc_limits>;
  using tap_t = zg::socket<test_domain, zg::inproc, zg::pull, zg::null_mechanism, inproc_limits>;
  using worker_t = zg::socket<test_domain, zg::inproc, zg::rep, zg::null_mechanism, inproc_limits, order_service>;
  broker_front front(ctx, auth, server_keys);
  broker_back back(ctx);
  capture_t capture(ctx);
  tap_t tap(ctx);
  auto front_ep = front.bind("tcp://127.0.0.1:*");
  auto back_ep = back.bind(zg::endpoint<zg::inproc, test_domain>("inproc://slow-workers"));
  tap.connect(capture.bind(zg::endpoint<zg::inproc, test_domain>("inproc://broker-tap")));
  zg::proxy<broker_front, broker_back> queue(ctx, front, back, capture);
  worker_t worker(ctx);  // answers only when the test says so: a stopped worker
  worker.connect(back_ep);

  zmq::context_t raw;
  auto victim = curve_dealer(raw, victim_keys, server_keys.public_part());
  victim.connect(front_ep.address);
  send_request(victim, numbered_order(1));
  auto request = worker.receive<order>();
  REQUIRE(request);
  auto copy = tap.receive_multipart();  // the attacker's leak: the victim's routing id
  REQUIRE(copy);
  auto const victim_id = (*copy)[0].to_string();

  victim.close();
  std::this_thread::sleep_for(300ms);  // the proxy sees the victim go, libzmq frees its id
  auto attacker = curve_dealer(raw, attacker_keys, server_keys.public_part(), victim_id);
  attacker.connect(front_ep.address);
  std::this_thread::sleep_for(300ms);  // and gives it to the attacker's connection

  REQUIRE(worker.send(order_ack{1, true, "victim's data"}));
  CHECK_FALSE(got_anything(attacker));
  REQUIRE(eventually([&] { return !seen.named("router.stale_peer").empty(); }));
  CHECK(seen.named("router.stale_peer").front().field("reason") == "connection closed");

  // Others are still served through the broker.
  zg::socket<test_domain, zg::tcp, zg::req, zg::curve_client, rr_limits, order_service> client(
      ctx, victim_keys, server_keys.public_part());
  client.connect(front_ep);
  std::jthread serve([&](std::stop_token stop) {
    worker.serve([](order const& o, zg::peer_info const&) { return order_ack{o.id, true, "ok"}; }, stop);
  });
  auto reply = client.call(numbered_order(2));
  REQUIRE_MESSAGE(reply.ok(), reply.reason());
  CHECK(reply->id == 2);
  serve.request_stop();
  serve.join();
  queue.terminate();
}
