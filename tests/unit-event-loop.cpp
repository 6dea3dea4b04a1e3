// zguard::event_loop (several sockets and timers in one thread) and the
// accessors for an external loop (notification_fd, monitor_notification_fd,
// readable), over real sockets on inproc, ipc and tcp. Every loop is bounded
// by a stop timer or an iteration count; nothing asserts on time.
#include "router_attack.hpp"
#include "schemas.hpp"
#include "support.hpp"

#include <poll.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <optional>
#include <stdexcept>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

using namespace zguard_test;
using namespace std::chrono_literals;

namespace {

using order_service = zg::service<order, order_ack>;
using rep_t = zg::socket<test_domain, zg::tcp, zg::rep, zg::curve_server, rr_limits, order_service>;
using req_t = zg::socket<test_domain, zg::tcp, zg::req, zg::curve_client, rr_limits, order_service>;
using router_t = zg::socket<test_domain, zg::tcp, zg::router, zg::curve_server, rr_limits, order_service>;

using feed_limits = zg::limits<zg::send_hwm<100>, zg::recv_hwm<100>, zg::drop_when_full, zg::linger_ms<0>,
                               zg::send_timeout_ms<100>, zg::recv_timeout_ms<200>>;
using pub_t = zg::socket<test_domain, zg::inproc, zg::pub, zg::null_mechanism, feed_limits, zg::topic<"ticks", tick>>;
using sub_t = zg::socket<test_domain, zg::inproc, zg::sub, zg::null_mechanism, feed_limits, zg::topic<"ticks", tick>>;

// Inside the loop a receive never waits; the timeout bounds receives outside it.
using ipc_limits = zg::limits<zg::send_hwm<100>, zg::recv_hwm<100>, zg::block_when_full, zg::max_message_size<4096>,
                              zg::linger_ms<0>, zg::send_timeout_ms<1000>, zg::recv_timeout_ms<200>,
                              zg::handshake_timeout_ms<2000>>;
using ipc_push = zg::socket<test_domain, zg::ipc, zg::push, zg::null_mechanism, ipc_limits, zg::stream<order>>;
using ipc_pull = zg::socket<test_domain, zg::ipc, zg::pull, zg::null_mechanism, ipc_limits, zg::stream<order>>;
using inproc_push = zg::socket<test_domain, zg::inproc, zg::push, zg::null_mechanism, inproc_limits, zg::stream<order>>;
using inproc_pull = zg::socket<test_domain, zg::inproc, zg::pull, zg::null_mechanism, inproc_limits, zg::stream<order>>;

// A handler gets the socket; generic code cannot reach a handle through it.
template <class S>
concept has_handle = requires(S& s) { s.handle(); };
static_assert(!has_handle<sub_t> && !has_handle<router_t>);

// A safety stop: a loop that never reaches its goal ends anyway (the
// test's checks then fail), instead of hanging the suite.
void stop_after(zg::event_loop& loop, std::stop_source& stop, std::chrono::milliseconds limit = 30s) {
  loop.after(limit, [&stop] { stop.request_stop(); });
}

}  // namespace

TEST_CASE("event loop: one loop serves a REP on tcp, a SUB on inproc and a PULL on ipc, with a timer publishing") {
  squat_scene scene;
  auto& [seen, ctx, auth, server_keys, client_keys, attacker_keys] = scene;
  rep_t rep(ctx, auth, server_keys);
  auto const rep_ep = rep.bind("tcp://127.0.0.1:*");
  pub_t pub(ctx);
  sub_t sub(ctx);
  sub.connect(pub.bind(zg::endpoint<zg::inproc, test_domain>("inproc://loop-ticks")));
  temp_dir dir;
  ipc_pull pull(ctx);
  ipc_push push(ctx);
  push.connect(pull.bind("ipc://" + (dir.path / "orders.sock").string()));

  constexpr std::uint64_t n = 5;
  std::uint64_t served = 0, ticks = 0, orders = 0;
  std::stop_source stop;
  auto done = [&] {
    if (served >= n && ticks >= n && orders >= n) stop.request_stop();
  };
  zg::event_loop loop(20ms);
  loop.on(rep, [&](rep_t& s) {
    auto r = s.receive();
    if (!r) return;
    REQUIRE(s.send(order_ack{r->value.id, true, "from the loop"}));
    ++served;
    done();
  });
  loop.on(sub, [&](sub_t& s) {
    if (s.receive()) ++ticks;
    done();
  });
  loop.on(pull, [&](auto& s) {
    auto o = s.receive();
    if (!o) return;
    CHECK(o->value.id == orders + 1);  // one sender: in order
    ++orders;
    done();
  });
  std::uint32_t seq = 0;
  loop.every(5ms, [&] { (void)pub.send(tick{"ABC", 1, ++seq}); });  // PUB drops until subscribed
  stop_after(loop, stop);
  for (std::uint64_t i = 1; i <= n; ++i) REQUIRE(push.send(numbered_order(i)));

  std::vector<std::uint64_t> replies;
  std::jthread client([&] {
    req_t req(ctx, client_keys, server_keys.public_part());
    req.connect(rep_ep);
    for (std::uint64_t i = 1; i <= n; ++i) {
      auto r = req.call(numbered_order(i));
      replies.push_back(r.ok() ? r->id : 0);
    }
  });
  loop.run(stop.get_token());
  client.join();
  CHECK(served == n);
  CHECK(ticks >= n);
  CHECK(orders == n);
  CHECK(replies == std::vector<std::uint64_t>{1, 2, 3, 4, 5});
}

TEST_CASE("event loop: timers fire in due order, repeat until cancelled, and stop the loop") {
  zg::event_loop loop(10ms);
  std::stop_source stop;
  std::vector<std::string> fired;
  int beats = 0;
  auto finish = [&] {
    if (beats == 3 && fired.size() == 6) stop.request_stop();
  };
  auto const b = loop.after(10ms, [&] { fired.push_back("b"); finish(); });
  loop.after(10ms, [&] { fired.push_back("b2"); finish(); });  // due with b or just after: fires after b
  loop.after(30ms, [&] { fired.push_back("a"); finish(); });
  auto const never = loop.after(1h, [&] { fired.push_back("never"); });
  zg::timer_id beat;
  beat = loop.every(5ms, [&] {
    fired.push_back("beat");
    if (++beats == 3) CHECK(loop.cancel(beat));  // cancelled from inside itself
    finish();
  });
  stop_after(loop, stop);
  CHECK(loop.cancel(never));
  CHECK_FALSE(loop.cancel(never));
  loop.run(stop.get_token());

  REQUIRE(fired.size() == 6);
  CHECK(beats == 3);
  auto at = [&](std::string const& name) { return std::find(fired.begin(), fired.end(), name) - fired.begin(); };
  CHECK(at("b") < at("b2"));
  CHECK(at("b2") < at("a"));
  CHECK(std::count(fired.begin(), fired.end(), "beat") == 3);
  CHECK_FALSE(loop.cancel(b));  // a one-shot that fired is gone
}

TEST_CASE("event loop: a stop requested from another thread ends run() within a tick, and a stopped token returns at once") {
  zg::context<test_domain> ctx;
  inproc_pull pull(ctx);
  (void)pull.bind(zg::endpoint<zg::inproc, test_domain>("inproc://loop-idle"));
  zg::event_loop loop(10ms);
  int calls = 0;
  loop.on(pull, [&](auto& s) {
    (void)s.receive();
    ++calls;
  });
  std::stop_source stop;
  std::jthread runner([&] { loop.run(stop.get_token()); });
  std::this_thread::sleep_for(50ms);  // let it wait on an idle socket
  stop.request_stop();
  runner.join();  // returns: no socket input and no timer needed
  CHECK(calls == 0);

  std::stop_source already;
  already.request_stop();
  loop.run(already.get_token());
}

TEST_CASE("event loop: timers and the tick are bounded 1 ms .. 1 hour, one handler per socket, none added while running") {
  CHECK_THROWS_AS(zg::event_loop(0ms), std::invalid_argument);
  CHECK_THROWS_AS(zg::event_loop(2h), std::invalid_argument);
  zg::event_loop loop;
  CHECK_THROWS_AS(loop.after(0ms, [] {}), std::invalid_argument);
  CHECK_THROWS_AS(loop.after(-5ms, [] {}), std::invalid_argument);
  CHECK_THROWS_AS(loop.every(0ms, [] {}), std::invalid_argument);
  CHECK_THROWS_AS(loop.every(std::chrono::hours(1) + 1ms, [] {}), std::invalid_argument);
  CHECK_THROWS_AS(loop.after(10ms, std::function<void()>{}), std::invalid_argument);
  CHECK_NOTHROW(loop.every(1h, [] {}));
  CHECK_NOTHROW(loop.after(1ms, [] {}));

  zg::context<test_domain> ctx;
  inproc_pull pull(ctx);
  loop.on(pull, [](auto&) {});
  CHECK_THROWS_AS(loop.on(pull, [](auto&) {}), std::invalid_argument);  // two handlers racing for one socket
  inproc_pull other(ctx);
  std::stop_source stop;
  loop.after(5ms, [&] { loop.on(other, [](auto&) {}); });
  CHECK_THROWS_AS(loop.run(stop.get_token()), std::logic_error);
}

TEST_CASE("event loop: a throwing handler ends run() with its exception, and run() again goes on with the next message") {
  zg::context<test_domain> ctx;
  inproc_pull pull(ctx);
  inproc_push push(ctx);
  push.connect(pull.bind(zg::endpoint<zg::inproc, test_domain>("inproc://loop-throw")));
  REQUIRE(push.send(numbered_order(1)));
  REQUIRE(push.send(numbered_order(2)));
  std::vector<std::uint64_t> got;
  std::stop_source stop;
  zg::event_loop loop(10ms);
  loop.on(pull, [&](auto& s) {
    auto o = s.receive();
    REQUIRE(o);
    got.push_back(o->value.id);
    if (o->value.id == 1) throw std::runtime_error("handler failed");
    stop.request_stop();
  });
  stop_after(loop, stop);
  CHECK_THROWS_WITH_AS(loop.run(stop.get_token()), "handler failed", std::runtime_error);
  CHECK(got == std::vector<std::uint64_t>{1});
  loop.run(stop.get_token());
  CHECK(got == std::vector<std::uint64_t>{1, 2});

  // A throwing repeating timer: already rescheduled when it threw.
  zg::event_loop timers(10ms);
  std::stop_source stop2;
  int beats = 0;
  timers.every(1ms, [&] {
    if (++beats == 1) throw std::runtime_error("timer failed");
    stop2.request_stop();
  });
  stop_after(timers, stop2);
  CHECK_THROWS_AS(timers.run(stop2.get_token()), std::runtime_error);
  timers.run(stop2.get_token());
  CHECK(beats == 2);
}

TEST_CASE("event loop: a malformed message on one socket is refused while the others keep being served") {
  captured_events seen;
  zg::context<test_domain> ctx(seen.sink());
  temp_dir dir;
  ipc_pull pull(ctx);
  auto const ep = pull.bind("ipc://" + (dir.path / "mixed.sock").string());
  ipc_push push(ctx);
  push.connect(ep);
  zmq::context_t raw;
  zmq::socket_t forger(raw, zmq::socket_type::push);  // a local peer that speaks no schema
  forger.set(zmq::sockopt::linger, 0);
  forger.connect(ep.address);
  pub_t pub(ctx);
  sub_t sub(ctx);
  sub.connect(pub.bind(zg::endpoint<zg::inproc, test_domain>("inproc://loop-mixed")));

  REQUIRE(forger.send(zmq::str_buffer("not an order at all")));
  std::uint64_t orders = 0, ticks = 0;
  std::stop_source stop;
  auto done = [&] {
    if (orders >= 2 && ticks >= 3 && ctx.events().count("message.refused") >= 1) stop.request_stop();
  };
  zg::event_loop loop(20ms);
  loop.on(pull, [&](auto& s) {
    if (s.receive()) ++orders;
    done();
  });
  loop.on(sub, [&](auto& s) {
    if (s.receive()) ++ticks;
    done();
  });
  std::uint32_t seq = 0;
  loop.every(5ms, [&] { (void)pub.send(tick{"XYZ", 2, ++seq}); });
  loop.after(30ms, [&] {
    REQUIRE(push.send(numbered_order(1)));
    REQUIRE(forger.send(zmq::str_buffer("\x01\x02")));
    REQUIRE(push.send(numbered_order(2)));
  });
  stop_after(loop, stop);
  loop.run(stop.get_token());
  CHECK(orders == 2);
  CHECK(ticks >= 3);
  CHECK(ctx.events().count("message.refused") >= 1);
  CHECK(!seen.named("message.refused").empty());
}

TEST_CASE("event loop: a socket flooded with junk costs the loop the frames it read, not its receive timeout") {
  squat_scene scene;
  auto& [seen, ctx, auth, server_keys, client_keys, attacker_keys] = scene;
  // Five seconds to receive: a receive inside the loop that waited for a
  // good message would hold every other socket that long.
  using slow_limits = zg::limits<zg::send_hwm<100>, zg::recv_hwm<100>, zg::block_when_full, zg::max_message_size<4096>,
                                 zg::linger_ms<0>, zg::send_timeout_ms<1000>, zg::recv_timeout_ms<5000>,
                                 zg::handshake_timeout_ms<2000>>;
  using slow_pull = zg::socket<test_domain, zg::ipc, zg::pull, zg::null_mechanism, slow_limits, zg::stream<order>>;
  using slow_rep = zg::socket<test_domain, zg::tcp, zg::rep, zg::curve_server, slow_limits, order_service>;
  temp_dir dir;
  slow_pull pull(ctx);
  auto const junk_ep = pull.bind("ipc://" + (dir.path / "junk.sock").string());
  slow_rep rep(ctx, auth, server_keys);
  auto const rep_ep = rep.bind("tcp://127.0.0.1:*");

  // At most 2,000 junk frames, one a millisecond, until the client is done.
  std::atomic<bool> client_done = false, flooding = true;
  std::jthread flood([&] {
    zmq::context_t raw;
    zmq::socket_t junk(raw, zmq::socket_type::push);
    junk.set(zmq::sockopt::linger, 0);
    junk.connect(junk_ep.address);
    for (int i = 0; i < 2000 && !client_done; ++i) {
      (void)junk.send(zmq::str_buffer("not an order at all"), zmq::send_flags::dontwait);
      std::this_thread::sleep_for(1ms);
    }
    flooding = false;
  });
  constexpr std::uint64_t n = 20;
  std::vector<std::uint64_t> replies;
  std::uint64_t refused_meanwhile = 0;
  bool still_flooding = false;
  std::stop_source stop;
  std::jthread client([&] {
    req_t req(ctx, client_keys, server_keys.public_part());
    req.connect(rep_ep);
    // Calls only once the loop is refusing junk.
    if (eventually([&] { return ctx.events().count("message.refused") >= 1; }, 10s))
      for (std::uint64_t i = 1; i <= n; ++i) {
        auto r = req.call(numbered_order(i));
        if (!r.ok()) break;
        replies.push_back(r->id);
      }
    refused_meanwhile = ctx.events().count("message.refused");
    still_flooding = flooding;
    client_done = true;
    stop.request_stop();
  });

  std::uint64_t junk_calls = 0;
  zg::event_loop loop(20ms);
  loop.on(pull, [&](slow_pull& s) {
    ++junk_calls;
    CHECK(!s.receive());
  });
  loop.on(rep, [&](slow_rep& s) {
    if (auto r = s.receive()) REQUIRE(s.send(order_ack{r->value.id, true, "served"}));
  });
  stop_after(loop, stop);
  loop.run(stop.get_token());
  client.join();
  flood.join();
  std::vector<std::uint64_t> all(n);
  for (std::uint64_t i = 0; i < n; ++i) all[i] = i + 1;
  CHECK(replies == all);         // every call served ...
  CHECK(still_flooding);         // ... while the junk kept coming,
  CHECK(refused_meanwhile >= 1);
  // and each handler call on the flooded socket read one frame and returned:
  // its refusals never waited for a good message.
  CHECK(ctx.events().count("message.refused") == junk_calls);
}

TEST_CASE("event loop: a ROUTER served by the loop still refuses a deferred reply to a squatter on the routing id") {
  squat_scene scene;
  auto& [seen, ctx, auth, server_keys, victim_keys, attacker_keys] = scene;
  router_t router(ctx, auth, server_keys);
  auto const ep = router.bind("tcp://127.0.0.1:*");

  zmq::context_t raw;
  auto victim = curve_dealer(raw, victim_keys, server_keys.public_part());
  victim.connect(ep.address);
  send_request(victim, numbered_order(1));

  std::optional<zg::routed<order>> held;
  std::optional<zmq::socket_t> attacker;
  bool replied = true;
  std::stop_source stop;
  zg::event_loop loop(20ms);
  // The loop keeps serving (draining the ROUTER's monitor) between the
  // steps: the victim leaves with its reply pending, the attacker takes its
  // routing id, then the deferred reply is tried.
  loop.on(router, [&](router_t& s) {
    auto got = s.receive();
    if (!got) return;
    held.emplace(*got);
    victim.close();
    loop.after(300ms, [&] {
      attacker.emplace(curve_dealer(raw, attacker_keys, server_keys.public_part(), string_from_hex(held->from.routing_id_hex())));
      attacker->connect(ep.address);
      loop.after(300ms, [&] {
        replied = router.reply(*held, order_ack{1, true, "victim's data"});
        stop.request_stop();
      });
    });
  });
  stop_after(loop, stop);
  loop.run(stop.get_token());

  REQUIRE(held);
  REQUIRE(attacker);
  CHECK_FALSE(replied);
  CHECK_FALSE(got_anything(*attacker));
  auto stale = seen.named("router.stale_peer");
  REQUIRE(!stale.empty());
  CHECK(stale.back().field("user_id") == victim_keys.public_part().z85());
}

TEST_CASE("external loop: poll(2) on the notification fds serves a PULL and a ROUTER, and drains the ROUTER's monitor") {
  squat_scene scene;
  auto& [seen, ctx, auth, server_keys, client_keys, attacker_keys] = scene;
  router_t router(ctx, auth, server_keys);
  auto const ep = router.bind("tcp://127.0.0.1:*");
  inproc_pull pull(ctx);
  inproc_push push(ctx);
  push.connect(pull.bind(zg::endpoint<zg::inproc, test_domain>("inproc://fd-orders")));

  // Only a ROUTER reads its own monitor; the fds are stable.
  REQUIRE(router.monitor_notification_fd());
  CHECK_FALSE(pull.monitor_notification_fd());
  CHECK(pull.notification_fd() == pull.notification_fd());
  CHECK(*router.monitor_notification_fd() != router.notification_fd());

  constexpr std::uint64_t n = 3;
  for (std::uint64_t i = 1; i <= n; ++i) REQUIRE(push.send(numbered_order(i)));  // queued before any wait
  std::vector<std::uint64_t> replies;
  std::jthread client([&] {
    zg::socket<test_domain, zg::tcp, zg::req, zg::curve_client, rr_limits, order_service> req(
        ctx, client_keys, server_keys.public_part());
    req.connect(ep);
    for (std::uint64_t i = 1; i <= n; ++i) {
      auto r = req.call(numbered_order(10 + i));
      replies.push_back(r.ok() ? r->id : 0);
    }
    // A peer that connects and leaves without a word: only the monitor hears it.
    zmq::context_t raw;
    auto prober = curve_dealer(raw, client_keys, server_keys.public_part());
    prober.connect(ep.address);
    std::this_thread::sleep_for(200ms);
  });

  std::uint64_t orders = 0, answered = 0;
  int woken = 0;
  auto finished = [&] { return orders == n && answered == n && ctx.events().count("peer.disconnected") >= 1; };
  std::array<pollfd, 3> fds{{{pull.notification_fd(), POLLIN, 0},
                             {router.notification_fd(), POLLIN, 0},
                             {*router.monitor_notification_fd(), POLLIN, 0}}};
  for (int i = 0; i < 600 && !finished(); ++i) {
    // Edge-triggered: drain until not readable before every wait, or a
    // message that came before the last edge is never noticed.
    while (pull.readable())
      if (pull.receive()) ++orders;
    while (router.readable()) {
      auto got = router.receive();
      if (got && router.reply(*got, order_ack{got->value.id, true, "fd"})) ++answered;
    }
    if (finished()) break;
    if (::poll(fds.data(), fds.size(), 50) > 0) ++woken;
  }
  client.join();
  CHECK(orders == n);
  CHECK(answered == n);
  CHECK(replies == std::vector<std::uint64_t>{11, 12, 13});
  CHECK(woken > 0);  // the fds did signal
  // The monitor's events were read through readable(): logged as they came.
  CHECK(ctx.events().count("peer.disconnected") >= 1);
  CHECK(ctx.events().count("handshake.succeeded") >= 1);
}

TEST_CASE("event loop: a REP answers with reply() a value, an application_error or a refusal, once per request") {
  squat_scene scene;
  auto& [seen, ctx, auth, server_keys, client_keys, attacker_keys] = scene;
  rep_t rep(ctx, auth, server_keys);
  auto const ep = rep.bind("tcp://127.0.0.1:*");

  std::vector<bool> again;  // what a second answer to the same request gave
  std::optional<zg::received<order>> first;
  std::stop_source stop;
  zg::event_loop loop(20ms);
  loop.on(rep, [&](rep_t& s) {
    auto r = s.receive();
    if (!r) return;
    if (first) again.push_back(s.reply(*first, order_ack{1, false, "an older request's answer"}));
    switch (r->value.id) {
      case 1:
        first.emplace(*r);
        REQUIRE(s.reply(*r, order_ack{1, true, "from the loop"}));
        again.push_back(s.reply(*r, order_ack{1, false, "twice"}));
        break;
      case 2:
        REQUIRE(s.reply(*r, zg::application_error(7, "no such job")));
        again.push_back(s.reply(*r, zg::refused("twice")));
        break;
      case 3: REQUIRE(s.reply(*r, zg::refused("queue full"))); break;
      default:  // send() on a REP is the answer to the request it holds, once too
        REQUIRE(s.send(order_ack{r->value.id, true, "sent"}));
        again.push_back(s.send(order_ack{r->value.id, false, "twice"}));
        stop.request_stop();
    }
  });
  stop_after(loop, stop);
  std::vector<zg::call_result<order_ack>> results;
  std::jthread client([&] {
    req_t req(ctx, client_keys, server_keys.public_part());
    req.connect(ep);
    for (std::uint64_t i = 1; i <= 4; ++i) results.push_back(req.call(numbered_order(i), 1));
  });
  loop.run(stop.get_token());
  client.join();

  INFO("events: ", seen);
  REQUIRE(results.size() == 4);
  REQUIRE(results[0].ok());
  CHECK(results[0]->note.str() == "from the loop");
  CHECK(results[1].status() == zg::call_status::application_error);
  CHECK(results[1].application_code() == 7);
  CHECK(results[1].reason() == "no such job");
  CHECK(results[2].status() == zg::call_status::refused_by_service);
  CHECK(results[2].reason() == "queue full");
  REQUIRE(results[3].ok());
  CHECK(results[3]->note.str() == "sent");
  // Each request 2..4 also tried to answer request 1 again: refused (a REP answers the newest only).
  CHECK(again == std::vector<bool>{false, false, false, false, false, false});
  auto const refused = seen.named("reply.refused");
  REQUIRE(refused.size() == 6);
  CHECK(refused[1].field("reason").find("not the request this REP holds") != std::string::npos);
  CHECK(refused[0].field("user_id") == client_keys.public_part().z85());
  CHECK(refused[0].field("reason").find("answered already") != std::string::npos);
  CHECK(ctx.events().count("handler.application_error") == 1);  // info: counted, below the default level
}

TEST_CASE("event loop: a ROUTER holds requests and answers them later, each to its sender, once, and not again from a copy") {
  squat_scene scene;
  auto& [seen, ctx, auth, server_keys, alice_keys, bob_keys] = scene;
  router_t router(ctx, auth, server_keys);
  auto const ep = router.bind("tcp://127.0.0.1:*");
  zmq::context_t raw;
  auto alice = curve_dealer(raw, alice_keys, server_keys.public_part());
  auto bob = curve_dealer(raw, bob_keys, server_keys.public_part());
  ask(alice, ep.address, 11);
  ask(bob, ep.address, 22);

  std::vector<zg::routed<order>> held;
  std::vector<bool> answers, copies;
  std::stop_source stop;
  zg::event_loop loop(20ms);
  loop.on(router, [&](router_t& s) {
    auto got = s.receive();
    if (!got) return;
    held.push_back(*got);
    if (held.size() < 2) return;
    // Both held: answered later, in the other order, each to its own sender.
    loop.after(50ms, [&] {
      answers.push_back(router.reply(held[1], order_ack{held[1].value.id, true, "later"}));
      answers.push_back(router.reply(held[0], zg::application_error(9, "later")));
      zg::routed<order> const copy = held[0];
      copies.push_back(router.reply(copy, order_ack{0, false, "a copy's second answer"}));
      copies.push_back(router.reply(held[1], zg::refused("second answer")));
      stop.request_stop();
    });
  });
  stop_after(loop, stop);
  loop.run(stop.get_token());

  INFO("events: ", seen);
  REQUIRE(held.size() == 2);
  CHECK(answers == std::vector<bool>{true, true});
  CHECK(copies == std::vector<bool>{false, false});
  CHECK(seen.named("reply.refused").size() == 2);
  // Each dealer got exactly its own answer, and nothing more.
  auto const first = held[0].value.id == 11 ? &alice : &bob;
  auto const second = first == &alice ? &bob : &alice;
  auto const error = read_answer<zg::application_error_reply>(*first);
  REQUIRE(error);
  CHECK(error->code == 9);
  auto const ack = read_answer<order_ack>(*second);
  REQUIRE(ack);
  CHECK(ack->id == held[1].value.id);
  CHECK_FALSE(got_anything(alice));
  CHECK_FALSE(got_anything(bob));
}

TEST_CASE("event loop: a held request whose permission to call was taken away is not answered, on a ROUTER and a REP") {
  using guarded_router =
      zg::socket<test_domain, zg::tcp, zg::router, zg::curve_server, rr_limits, order_service, zg::authorized>;
  using guarded_rep = zg::socket<test_domain, zg::tcp, zg::rep, zg::curve_server, rr_limits, order_service, zg::authorized>;
  squat_scene scene;
  auto& [seen, ctx, auth, server_keys, alice_keys, bob_keys] = scene;
  auto rules = [&](bool with_alice) {
    return "key " + bob_keys.public_part().z85() + " call allow test.order\n" +
           (with_alice ? "key " + alice_keys.public_part().z85() + " call allow test.order\n" : std::string());
  };
  zg::permissions perms(zg::permission_set::parse(rules(true), "test"));
  guarded_router router(ctx, auth, server_keys, perms);
  auto const router_ep = router.bind("tcp://127.0.0.1:*");
  guarded_rep rep(ctx, auth, server_keys, perms);
  auto const rep_ep = rep.bind("tcp://127.0.0.1:*");
  zmq::context_t raw;
  auto alice = curve_dealer(raw, alice_keys, server_keys.public_part());
  auto bob = curve_dealer(raw, bob_keys, server_keys.public_part());
  ask(alice, router_ep.address, 1);
  ask(bob, router_ep.address, 2);

  std::vector<zg::routed<order>> held;
  std::vector<bool> router_answers;
  bool rep_answered = true;
  int rep_requests = 0;
  std::atomic<bool> rep_turn = false;
  std::stop_source stop;
  zg::event_loop loop(20ms);
  loop.on(router, [&](guarded_router& s) {
    auto got = s.receive();
    if (!got) return;
    held.push_back(*got);
    if (held.size() < 2) return;
    perms.replace(zg::permission_set::parse(rules(false), "test"));  // alice may call no more
    for (auto const& h : held) router_answers.push_back(router.reply(h, order_ack{h.value.id, true, "ok"}));
    perms.replace(zg::permission_set::parse(rules(true), "test"));  // the REP's turn: alice may call again
    rep_turn = true;
  });
  loop.on(rep, [&](guarded_rep& s) {
    auto r = s.receive();
    if (!r) return;
    ++rep_requests;
    perms.replace(zg::permission_set::parse(rules(false), "test"));  // taken away while the REP holds her request
    rep_answered = s.send(order_ack{r->value.id, true, "ok"});
    stop.request_stop();
  });
  stop_after(loop, stop);
  std::optional<zg::call_result<order_ack>> rep_result;
  std::jthread client([&] {
    for (int i = 0; i < 1000 && !rep_turn; ++i) std::this_thread::sleep_for(10ms);
    req_t req(ctx, alice_keys, server_keys.public_part());
    req.connect(rep_ep);
    rep_result = req.call(numbered_order(3), 1);
  });
  loop.run(stop.get_token());
  client.join();

  INFO("events: ", seen);
  REQUIRE(held.size() == 2);
  auto const alice_first = held[0].value.id == 1;
  CHECK(router_answers == std::vector<bool>{!alice_first, alice_first});
  auto const ack = read_answer<order_ack>(bob);
  REQUIRE(ack);
  CHECK(ack->id == 2);
  auto const denied = read_answer<zg::refusal>(alice);  // what her next call would get, not the reply
  REQUIRE(denied);
  CHECK(denied->field.str() == "not permitted: call test.order");
  CHECK_FALSE(got_anything(alice));
  // The REP: alice was permitted when her request came, not when it was answered.
  REQUIRE(rep_result);
  CHECK(rep_result->status() == zg::call_status::refused_by_service);
  CHECK(rep_result->reason() == "not permitted: call test.order");
  CHECK(rep_requests == 1);
  CHECK_FALSE(rep_answered);
  CHECK(seen.named("authz.denied").size() == 2);
}
