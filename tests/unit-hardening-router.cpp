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
  auto const victim_id = string_from_hex(handle.routing_id_hex());
  CHECK(zg::detail::libzmq_assigned_routing_id(victim_id));

  victim.close();  // gone before the answer
  // The server keeps receiving meanwhile (nothing comes): libzmq sees the
  // victim go and releases its id; then the attacker takes it.
  for (int i = 0; i < 6; ++i) (void)zg::poll(50ms, router);
  auto attacker = curve_dealer(raw, attacker_keys, server_keys.public_part(), victim_id);
  attacker.connect(ep.address);
  for (int i = 0; i < 6; ++i) (void)zg::poll(50ms, router);

  CHECK_FALSE(router.reply(*got, order_ack{1, true, "victim's data"}));
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
  REQUIRE(router.reply(*next, order_ack{2, true, "ok"}));
  auto reply = other.receive<order_ack>();
  REQUIRE(reply);
  CHECK(reply->value.id == 2);
}

TEST_CASE("typed ROUTER: a reply while the requester is still connected arrives, and peer-chosen ids are refused") {
  captured_events seen;
  curve_pair p(seen.sink());
  p.auth.allow(p.client_keys.public_part());
  router_t router(p.ctx, p.auth, p.server_keys);
  auto ep = router.bind("tcp://127.0.0.1:*");
  zmq::context_t raw;

  auto chooser = curve_dealer(raw, p.client_keys, p.server_keys.public_part(), "my-own-id");
  chooser.connect(ep.address);
  send_request(chooser, numbered_order(1));
  CHECK_FALSE(router.receive<order>());  // refused, not delivered
  CHECK_FALSE(got_anything(chooser));
  REQUIRE(seen.named("router.peer_chosen_id").size() == 1);
  CHECK(seen.named("router.peer_chosen_id").front().field("routing_id") == "6d792d6f776e2d6964");

  auto client = curve_dealer(raw, p.client_keys, p.server_keys.public_part());
  client.connect(ep.address);
  send_request(client, numbered_order(2));
  auto got = router.receive<order>();
  REQUIRE(got);
  std::this_thread::sleep_for(200ms);  // a deferred answer, still connected
  REQUIRE(router.reply(*got, order_ack{2, true, "late but fine"}));
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

namespace {
using ipc_router_limits =
    zg::limits<zg::send_hwm<10>, zg::recv_hwm<1000>, zg::block_when_full, zg::max_message_size<4096>,
               zg::linger_ms<0>, zg::send_timeout_ms<500>, zg::recv_timeout_ms<200>, zg::handshake_timeout_ms<1000>>;
using ipc_client_limits =
    zg::limits<zg::send_hwm<10>, zg::recv_hwm<10>, zg::block_when_full, zg::max_message_size<4096>,
               zg::linger_ms<0>, zg::send_timeout_ms<500>, zg::recv_timeout_ms<1000>, zg::handshake_timeout_ms<1000>>;
}  // namespace

TEST_CASE("typed ROUTER: a peer that sends junk and never reads its refusals does not slow anyone else") {
  // Every refused message is answered with a zguard.refusal. Under
  // ROUTER_MANDATORY each answer to a full pipe used to wait
  // send_timeout_ms (500 ms here), so one silent peer made every other
  // client's request wait about 1.5 s: longer than this client's 1 s
  // receive timeout, and none of its calls was answered.
  temp_dir dir;
  captured_events seen;
  zg::context<test_domain> ctx;
  ctx.events().set_sink(seen.sink());
  zg::socket<test_domain, zg::ipc, zg::router, zg::null_mechanism, ipc_router_limits, order_service> server(ctx);
  auto const ep = server.bind(zg::endpoint<zg::ipc>("ipc://" + (dir.path / "r.sock").string()));
  std::jthread serving([&](std::stop_token stop) {
    server.serve([](order const& o, zg::peer_info const&) { return order_ack{o.id, true, "ok"}; }, stop);
  });

  zmq::context_t raw;
  zmq::socket_t junk(raw, zmq::socket_type::dealer);
  junk.set(zmq::sockopt::rcvhwm, 1);
  junk.set(zmq::sockopt::linger, 0);
  junk.set(zmq::sockopt::sndhwm, 100000);
  junk.connect(ep.address);
  for (int i = 0; i < 20000; ++i) (void)junk.send(zmq::str_buffer("junk"), zmq::send_flags::dontwait);
  REQUIRE(eventually([&] { return seen.named("message.refused").size() >= 100; }));

  zg::socket<test_domain, zg::ipc, zg::req, zg::null_mechanism, ipc_client_limits, order_service> client(ctx);
  client.connect(ep);
  int answered = 0;
  for (std::uint64_t i = 1; i <= 5; ++i) {
    auto reply = client.call(numbered_order(i), 1);
    answered += reply.ok() && reply->id == i;
  }
  CHECK(answered == 5);
  // Refusals stay logged; their answers to the full pipe are dropped, not waited for.
  CHECK(seen.named("send.timeout").empty());
  CHECK(seen.named("message.refused").size() >= 100);
}
