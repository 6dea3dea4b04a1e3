// reply(request, answer) attacked: an outside review of the guarantees
// docs/reference.md gives ("reply", "refused"): one answer per request, to
// its sender, not after a revocation. Each case failed on the first
// reply(); every loop is bounded.
#include "router_attack.hpp"
#include "schemas.hpp"
#include "support.hpp"

#include <chrono>
#include <cstdlib>
#include <iterator>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>
#include <memory>
#include <type_traits>

using namespace zguard_test;
using namespace std::chrono_literals;

namespace {

using order_service = zg::service<order, order_ack>;
using irep_t = zg::socket<test_domain, zg::inproc, zg::rep, zg::null_mechanism, inproc_limits, order_service>;
using ireq_t = zg::socket<test_domain, zg::inproc, zg::req, zg::null_mechanism, inproc_limits, order_service>;
using req_t = zg::socket<test_domain, zg::tcp, zg::req, zg::curve_client, rr_limits, order_service>;
using router_t = zg::socket<test_domain, zg::tcp, zg::router, zg::curve_server, rr_limits, order_service>;
using irouter_t = zg::socket<test_domain, zg::inproc, zg::router, zg::null_mechanism, inproc_limits, order_service>;
using idealer_t = zg::socket<test_domain, zg::inproc, zg::dealer, zg::null_mechanism, inproc_limits, order_service>;
using guarded_rep = zg::socket<test_domain, zg::tcp, zg::rep, zg::curve_server, rr_limits, order_service, zg::authorized>;

// A receive that waits for a client still connecting: a few tries, bounded.
template <class S>
auto receive_within(S& s, int tries = 10) {
  for (int i = 0; i < tries; ++i)
    if (auto r = s.receive()) return r;
  return decltype(s.receive()){};
}

// A REQ of type Req calls request `id` once from its own thread; the
// outcome lands in `result` when the thread ends. A CURVE client names its
// keys and the server's (both outlive the thread).
template <class Req, class Ep>
std::jthread call_once(zg::context<test_domain>& ctx, Ep const& ep, std::optional<zg::call_result<order_ack>>& result,
                       std::uint64_t id, zg::keypair const* me = nullptr, zg::keypair const* server = nullptr) {
  return std::jthread([&ctx, ep, &result, id, me, server] {
    auto req = [&] {
      if constexpr (std::is_same_v<Req, ireq_t>) return std::make_unique<Req>(ctx);  // NULL, inproc
      else return std::make_unique<Req>(ctx, *me, server->public_part());
    }();
    req->connect(ep);
    result = req->call(numbered_order(id), 1);
  });
}

// A CURVE REP of the scene, and alice calling it once (request 1) from her
// own thread, joined when the fixture goes.
struct alice_calls_rep {
  using curve_order_rep = zg::socket<test_domain, zg::tcp, zg::rep, zg::curve_server, rr_limits, order_service>;
  squat_scene scene;
  curve_order_rep rep{scene.ctx, scene.auth, scene.server_keys};
  std::optional<zg::call_result<order_ack>> result;
  std::jthread client = call_once<req_t>(scene.ctx, rep.bind("tcp://127.0.0.1:*"), result, 1, &scene.victim_keys,
                                         &scene.server_keys);
};

}  // namespace

// Claim 1 + 2: "an answer to a request the socket did not hand out is
// refused (false, reply.refused)"; "to its sender only". Two REPs of one
// type each hold their request #1; REP B is given REP A's delivery.
TEST_CASE("reply attacks: a REP given another REP's request refuses it, and each caller gets its own answer") {
  captured_events seen;
  zg::context<test_domain> ctx{seen.sink()};
  irep_t rep_a(ctx), rep_b(ctx);
  auto const ep_a = rep_a.bind(zg::endpoint<zg::inproc, test_domain>("inproc://attack-rep-a"));
  auto const ep_b = rep_b.bind(zg::endpoint<zg::inproc, test_domain>("inproc://attack-rep-b"));

  std::optional<zg::call_result<order_ack>> x_result, y_result;
  auto x = call_once<ireq_t>(ctx, ep_a, x_result, 1);
  auto y = call_once<ireq_t>(ctx, ep_b, y_result, 2);
  auto const from_x = receive_within(rep_a);
  auto const from_y = receive_within(rep_b);
  REQUIRE(from_x);
  REQUIRE(from_y);
  REQUIRE(from_x->value.id == 1);
  REQUIRE(from_y->value.id == 2);

  bool const crossed = rep_b.reply(*from_x, order_ack{1, true, "x's private answer"});
  bool const own_b = rep_b.reply(*from_y, order_ack{2, true, "y's answer"});
  bool const own_a = rep_a.reply(*from_x, order_ack{1, true, "x's answer"});
  x.join();
  y.join();

  INFO("events: ", seen);
  CHECK_FALSE(crossed);                              // REP B never handed out X's request
  CHECK(seen.named("reply.refused").size() == 1);
  CHECK(own_b);
  CHECK(own_a);
  REQUIRE(y_result);
  REQUIRE(y_result->ok());
  CHECK(y_result->value().id == 2);                  // Y gets its own answer, never X's
  CHECK(y_result->value().note.str() == "y's answer");
}

// Claim 3 (G18): "on an authorized service a caller whose permission to
// call was taken away while its request was held gets the refusal, never
// the reply". The permission is asked for the delivery's peer, not for the
// caller the REP is about to answer: a delivery of a permitted caller taken
// from another REP of the same type lets the reply through to bob.
TEST_CASE("reply attacks: an authorized REP given another REP's request does not answer its own caller, whose permission was taken away") {
  squat_scene scene;
  auto& [seen, ctx, auth, server_keys, alice_keys, bob_keys] = scene;
  auto rules = [&](bool with_bob) {
    return "key " + alice_keys.public_part().z85() + " call allow test.order\n" +
           (with_bob ? "key " + bob_keys.public_part().z85() + " call allow test.order\n" : std::string());
  };
  zg::permissions perms(zg::permission_set::parse(rules(true), "test"));
  guarded_rep rep_a(ctx, auth, server_keys, perms), rep_b(ctx, auth, server_keys, perms);
  auto const ep_a = rep_a.bind("tcp://127.0.0.1:*");
  auto const ep_b = rep_b.bind("tcp://127.0.0.1:*");

  std::optional<zg::call_result<order_ack>> alice_result, bob_result;
  auto alice = call_once<req_t>(ctx, ep_a, alice_result, 1, &alice_keys, &server_keys);
  auto bob = call_once<req_t>(ctx, ep_b, bob_result, 2, &bob_keys, &server_keys);
  auto const from_alice = receive_within(rep_a);
  auto const from_bob = receive_within(rep_b);
  REQUIRE(from_alice);
  REQUIRE(from_bob);
  perms.replace(zg::permission_set::parse(rules(false), "test"));  // bob may call no more, his request held

  bool const answered_bob = rep_b.reply(*from_alice, order_ack{1, true, "for a permitted caller"});
  bool const answered_own = rep_b.reply(*from_bob, order_ack{2, true, "bob's"});  // judged on bob: not permitted
  (void)rep_a.reply(*from_alice, order_ack{1, true, "alice"});
  alice.join();
  bob.join();

  INFO("events: ", seen);
  CHECK_FALSE(answered_bob);
  CHECK_FALSE(answered_own);
  REQUIRE(bob_result);
  CHECK(bob_result->status() == zg::call_status::refused_by_service);
  CHECK(bob_result->reason() == "not permitted: call test.order");
}

// Claim 1: "an answer to a request the socket did not hand out is refused
// (false, reply.refused)". Two ROUTERs of one type: ROUTER B given ROUTER
// A's delivery #1 fails for another reason (router.stale_peer), and burns
// B's own request #1, which can then never be answered.
TEST_CASE("reply attacks: a ROUTER given another ROUTER's request refuses it and still answers its own of the same number") {
  squat_scene scene;
  auto& [seen, ctx, auth, server_keys, alice_keys, bob_keys] = scene;
  router_t router_a(ctx, auth, server_keys), router_b(ctx, auth, server_keys);
  auto const ep_a = router_a.bind("tcp://127.0.0.1:*");
  auto const ep_b = router_b.bind("tcp://127.0.0.1:*");
  zmq::context_t raw;
  auto alice = curve_dealer(raw, alice_keys, server_keys.public_part());
  auto bob = curve_dealer(raw, bob_keys, server_keys.public_part());
  ask(alice, ep_a.address, 11);
  ask(bob, ep_b.address, 22);
  auto const from_alice = receive_within(router_a);
  auto const from_bob = receive_within(router_b);
  REQUIRE(from_alice);
  REQUIRE(from_bob);

  bool const crossed = router_b.reply(*from_alice, order_ack{11, true, "crossed"});
  bool const own = router_b.reply(*from_bob, order_ack{22, true, "bob's"});

  INFO("events: ", seen);
  CHECK_FALSE(crossed);
  auto const refused = seen.named("reply.refused");  // the crossed answer, as a request B never handed out
  REQUIRE(refused.size() >= 1);
  CHECK(refused[0].field("user_id") == alice_keys.public_part().z85());
  CHECK(own);                                       // bob's own request is still B's to answer
  auto const ack = read_answer<order_ack>(bob);
  REQUIRE(ack);
  CHECK(ack->id == 22);
}

// libzmq starts each ROUTER's routing ids at generate_random() (rand()):
// a process that seeds rand() alike before making two ROUTERs gives their
// first peers the same routing id. With request numbers that collide too
// (every service counts 1, 2, ...), ROUTER B answers ROUTER A's delivery
// to B's own peer: another client than the request's sender.
TEST_CASE("reply attacks: a ROUTER does not answer another ROUTER's request to its own peer with the same routing id") {
  captured_events seen;
  zg::context<test_domain> ctx{seen.sink()};
  std::srand(4242);
  irouter_t router_a(ctx);
  std::srand(4242);
  irouter_t router_b(ctx);
  auto const ep_a = router_a.bind(zg::endpoint<zg::inproc, test_domain>("inproc://attack-router-a"));
  auto const ep_b = router_b.bind(zg::endpoint<zg::inproc, test_domain>("inproc://attack-router-b"));
  idealer_t x(ctx), y(ctx);
  x.connect(ep_a);
  y.connect(ep_b);
  REQUIRE(x.send(numbered_order(1)));
  REQUIRE(y.send(numbered_order(2)));
  auto const from_x = receive_within(router_a);
  auto const from_y = receive_within(router_b);
  REQUIRE(from_x);
  REQUIRE(from_y);
  INFO("routing ids: ", from_x->from.routing_id_hex(), " ", from_y->from.routing_id_hex());
  bool const crossed = router_b.reply(*from_x, order_ack{1, true, "x's private answer"});
  auto const y_got = y.receive();
  INFO("events: ", seen);
  CHECK_FALSE(crossed);
  CHECK_FALSE(y_got);  // y never asked for x's answer
}

// docs/threat-model.md: reply.refused carries "socket, user_id,
// vouched_client, reason". A REP's second send() (the same path as reply())
// logged it without the caller's user_id on a CURVE REP that is not authorized.
TEST_CASE("reply attacks: a REP's second send() is refused and logged with the caller's user_id") {
  alice_calls_rep call;
  auto& [scene, rep, result, client] = call;
  auto& [seen, ctx, auth, server_keys, alice_keys, bob_keys] = scene;
  auto const r = receive_within(rep);
  REQUIRE(r);
  CHECK(r->peer.user_id == alice_keys.public_part().z85());
  REQUIRE(rep.send(order_ack{1, true, "once"}));
  CHECK_FALSE(rep.send(order_ack{1, true, "twice"}));
  client.join();
  auto const refused = seen.named("reply.refused");
  REQUIRE(refused.size() == 1);
  CHECK(refused[0].field("user_id") == alice_keys.public_part().z85());
}

// A REP holding a request whose second receive() threw (EFSM: it must answer
// first) has an empty frame list; the first reply() read the last of an
// empty frame list (out of bounds); the send layer judges the request it
// remembered instead.
TEST_CASE("reply attacks: a REP still answers the request it holds after a second receive() threw") {
  alice_calls_rep call;
  auto& [scene, rep, result, client] = call;
  auto const r = receive_within(rep);
  REQUIRE(r);
  bool threw = false;
  try {
    (void)rep.receive();
  } catch (std::exception const&) {
    threw = true;
  }
  CHECK(threw);
  CHECK(rep.reply(*r, order_ack{1, true, "after a failed receive"}));
  client.join();
  REQUIRE(result);
  CHECK(result->ok());
}

// application_error subclasses: what() overridden with control characters
// and 300+ bytes of UTF-8 (expected to hold: the message is made printable
// where it is answered).
TEST_CASE("reply attacks: an application_error subclass with its own what() reaches the client printable and cut between characters") {
  struct sneaky : zg::application_error {
    sneaky() : zg::application_error(42, "fine") {}
    char const* what() const noexcept override { return text.c_str(); }
    std::string text = std::string(255, 'b') + "\xe2\x82\xac" + "\x1b]0;title\x07\n{\"event\":\"forged\"}" +
                       std::string(100, 'c');
  };
  captured_events seen;
  zg::context<test_domain> ctx{seen.sink()};
  irep_t rep(ctx);
  auto const ep = rep.bind(zg::endpoint<zg::inproc, test_domain>("inproc://attack-apperr"));
  std::optional<zg::call_result<order_ack>> result;
  auto client = call_once<ireq_t>(ctx, ep, result, 1);
  auto const r = receive_within(rep);
  REQUIRE(r);
  bool const sent = rep.reply(*r, sneaky{});
  client.join();
  INFO("events: ", seen);
  CHECK(sent);
  REQUIRE(result);
  CHECK(result->status() == zg::call_status::application_error);
  CHECK(result->application_code() == 42);
  CHECK(why_not_shown(result->reason()).empty());
}

// A refusal's text is fixed when it is made: printable, cut between
// characters (a text changed afterwards went out cut inside one, and the
// client read malformed_reply).
TEST_CASE("reply attacks: a refusal's long text with controls reaches the client printable and cut between characters") {
  captured_events seen;
  zg::context<test_domain> ctx{seen.sink()};
  irep_t rep(ctx);
  auto const ep = rep.bind(zg::endpoint<zg::inproc, test_domain>("inproc://reply-refused-text"));
  std::optional<zg::call_result<order_ack>> result;
  auto client = call_once<ireq_t>(ctx, ep, result, 1);
  auto const r = receive_within(rep);
  REQUIRE(r);
  zg::refused const why(std::string(127, 'a') + "\xc3\xa9" + "\x1b[2J\nforged");  // é across byte 128
  CHECK(why.reason().size() <= zg::max_refusal_text);
  CHECK(rep.reply(*r, why));
  client.join();
  INFO("events: ", seen);
  REQUIRE(result);
  CHECK(result->status() == zg::call_status::refused_by_service);
  CHECK(why_not_shown(result->reason()).empty());
}

// "a ROUTER may hold many and answer them in any order": the window counts
// request numbers (65536), so 4097 held requests are all answerable, the
// oldest after the newest.
TEST_CASE("reply attacks: a ROUTER holding 4097 requests answers the oldest after the newest") {
  captured_events seen;
  zg::context<test_domain> ctx{seen.sink()};
  irouter_t router(ctx);
  idealer_t client(ctx);
  client.connect(router.bind(zg::endpoint<zg::inproc, test_domain>("inproc://reply-window")));
  std::vector<zg::routed<order>> held;
  held.reserve(4097);
  for (std::uint64_t i = 1; i <= 4097; ++i) {
    REQUIRE(client.send(numbered_order(i)));
    auto got = receive_within(router, 4);
    REQUIRE(got);
    held.push_back(*got);
  }
  CHECK(router.reply(held.back(), order_ack{4097, true, "newest"}));
  CHECK(router.reply(held.front(), order_ack{1, true, "oldest"}));
  CHECK(seen.named("reply.refused").empty());
}

// The window itself, and the owner: a number of another socket, one never
// handed out, one answered, one too far behind the newest answered.
TEST_CASE("reply attacks: a ticket is answered once, by its own socket, within the window") {
  zg::detail::request_tickets<64> a, b;
  auto const first = a.issue();
  CHECK(a.owner() != b.owner());
  CHECK(!b.take(a.owner(), first, false).empty());  // another socket's ticket
  CHECK(!a.take(a.owner(), 2, false).empty());      // never handed out
  CHECK(a.take(a.owner(), first, false).empty());
  CHECK(!a.take(a.owner(), first, false).empty());  // answered already
  for (int i = 0; i < 100; ++i) (void)a.issue();
  auto const second = first + 1;
  CHECK(a.take(a.owner(), a.newest(), false).empty());
  CHECK(!a.take(a.owner(), second, false).empty());  // 64 or more behind the newest answered
  CHECK(!a.take(a.owner(), a.newest() - 1, true).empty());  // a REP answers its newest only
}
