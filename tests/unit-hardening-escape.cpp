// Escape hatches (attacks on the rule "no public API hands out something
// through which security options can be changed"): no raw socket handle,
// no raw context; zguard::poll instead of polling raw handles; the
// authenticator refuses mechanisms no socket of its domain declared; a
// socket whose libzmq options were changed behind zguard's back refuses to
// bind or connect. The tampering itself is done through zguard's internal
// accessor, standing in for any way an attacker could reach the handle.
#include "schemas.hpp"
#include "support.hpp"

#include <chrono>
#include <stdexcept>

using namespace zguard_test;
using namespace std::chrono_literals;

namespace {

using curve_rep_t = zg::socket<test_domain, zg::tcp, zg::rep, zg::curve_server, rr_limits, zg::service<order, order_ack>>;
using sub_limits = zg::limits<zg::send_hwm<100>, zg::recv_hwm<100>, zg::drop_when_full, zg::linger_ms<0>,
                              zg::send_timeout_ms<100>, zg::recv_timeout_ms<300>>;
using inproc_pub = zg::socket<test_domain, zg::inproc, zg::pub, zg::null_mechanism, sub_limits, zg::topic<"ticks", tick>>;
using inproc_sub = zg::socket<test_domain, zg::inproc, zg::sub, zg::null_mechanism, sub_limits, zg::topic<"ticks", tick>>;
using inproc_push = zg::socket<test_domain, zg::inproc, zg::push, zg::null_mechanism, inproc_limits, zg::stream<order>>;
using inproc_pull = zg::socket<test_domain, zg::inproc, zg::pull, zg::null_mechanism, inproc_limits, zg::stream<order>>;

// The escape hatches that existed are gone from the public API.
template <class S>
concept has_poll_handle = requires(S& s) { s.poll_handle(); };
template <class C>
concept has_native = requires(C& c) { c.native(); };
static_assert(!has_poll_handle<curve_rep_t> && !has_poll_handle<inproc_sub>);
static_assert(!has_native<zg::context<test_domain>>);
// Claiming the context's ZAP endpoint is the authenticator's alone: a claim
// by anyone else would keep the real one out.
template <class C>
concept can_claim_zap = requires(C& c) { c.claim_zap(nullptr); c.release_zap(nullptr); };
static_assert(!can_claim_zap<zg::context<test_domain>>);

}  // namespace

TEST_CASE("escape hatches: zguard::poll tells which of several sockets has input, without a raw handle") {
  zg::context<test_domain> ctx;
  inproc_pub pub(ctx);
  inproc_sub sub(ctx);
  inproc_push push(ctx);
  inproc_pull pull(ctx);
  sub.connect(pub.bind(zg::endpoint<zg::inproc, test_domain>("inproc://poll-ticks")));
  push.connect(pull.bind(zg::endpoint<zg::inproc, test_domain>("inproc://poll-orders")));

  auto idle = zg::poll(50ms, sub, pull);
  CHECK(idle.size() == 2);
  CHECK_FALSE(idle.any());

  REQUIRE(push.send(sample_order()));
  auto ready = zg::poll(2000ms, sub, pull);
  CHECK_FALSE(ready[0]);
  CHECK(ready[1]);
  REQUIRE(pull.receive<order>());

  // PUB drops until the subscription arrived: publish until one is seen.
  bool seen = false;
  for (int i = 0; i < 100 && !seen; ++i) {
    REQUIRE(pub.send(tick{"ABC", 2, 3}));
    seen = zg::poll(20ms, sub, pull)[0];
  }
  CHECK(seen);
  CHECK(sub.receive<tick>());
  CHECK_THROWS_AS(zg::poll(-1ms, sub), std::invalid_argument);  // nothing waits forever
  CHECK_THROWS_AS(zg::poll(std::chrono::hours(2), sub), std::invalid_argument);
}

TEST_CASE("escape hatches: a typed ROUTER is polled with its own monitor, and serves after the poll") {
  curve_pair p;
  p.auth.allow(p.client_keys.public_part());
  zg::socket<test_domain, zg::tcp, zg::router, zg::curve_server, rr_limits, zg::service<order, order_ack>> router(
      p.ctx, p.auth, p.server_keys);
  auto ep = router.bind("tcp://127.0.0.1:*");
  zg::socket<test_domain, zg::tcp, zg::req, zg::curve_client, rr_limits, zg::service<order, order_ack>> client(
      p.ctx, p.client_keys, p.server_keys.public_part());
  client.connect(ep);
  REQUIRE(client.send(sample_order()));
  bool ready = false;
  for (int i = 0; i < 50 && !ready; ++i) ready = zg::poll(100ms, router)[0];
  REQUIRE(ready);
  auto got = router.receive<order>();
  REQUIRE(got);
  REQUIRE(router.reply(*got, order_ack{got->value.id, true, "polled"}));
  auto reply = client.receive<order_ack>();
  REQUIRE(reply);
  CHECK(reply->value.note.view() == "polled");
}

TEST_CASE("escape hatches: a CURVE server turned into NULL behind zguard's back serves no NULL client") {
  captured_events seen;
  zg::context<test_domain> ctx(seen.sink());
  zg::authenticator<test_domain> auth(ctx);
  auto server_keys = zg::keypair::generate();
  curve_rep_t rep(ctx, auth, server_keys);
  // The attack the raw handle allowed: CURVE off, then bound through the
  // handle as well (zguard's bind() would refuse: see the next test).
  // libzmq copies options into the listener at bind time.
  void* handle = zg::detail::socket_access::handle(rep);
  int const off = 0;
  REQUIRE(zmq_setsockopt(handle, ZMQ_CURVE_SERVER, &off, sizeof off) == 0);
  REQUIRE(zmq_bind(handle, "tcp://127.0.0.1:*") == 0);
  char last[256];
  std::size_t last_size = sizeof last;
  REQUIRE(zmq_getsockopt(handle, ZMQ_LAST_ENDPOINT, last, &last_size) == 0);
  struct {
    std::string address;
  } ep{last};

  // A plain libzmq NULL client (what pyzmq would be) asks for service.
  zmq::context_t raw;
  zmq::socket_t client(raw, zmq::socket_type::req);
  client.set(zmq::sockopt::linger, 0);
  client.set(zmq::sockopt::rcvtimeo, 300);
  client.connect(ep.address);
  auto const request = zg::encode(sample_order());
  REQUIRE(client.send(zmq::buffer(request)));
  std::jthread server([&](std::stop_token stop) {
    rep.serve([](order const& o, zg::peer_info const&) { return order_ack{o.id, true, "served"}; }, stop);
  });
  zmq::message_t reply;
  CHECK_FALSE(client.recv(reply));  // never served
  REQUIRE(eventually([&] { return !seen.named("zap.deny").empty(); }));
  auto deny = seen.named("zap.deny").front();
  CHECK(deny.field("mechanism") == "NULL");
  CHECK(deny.field("reason") == "no socket of this domain declares NULL");
  CHECK(seen.named("zap.allow").empty());
  server.request_stop();
}

TEST_CASE("escape hatches: a socket whose options changed behind zguard's back refuses to bind or connect") {
  captured_events seen;
  zg::context<test_domain> ctx(seen.sink());
  zg::authenticator<test_domain> auth(ctx);
  auto server_keys = zg::keypair::generate();
  SUBCASE("mechanism") {
    curve_rep_t rep(ctx, auth, server_keys);
    int const off = 0;
    REQUIRE(zmq_setsockopt(zg::detail::socket_access::handle(rep), ZMQ_CURVE_SERVER, &off, sizeof off) == 0);
    CHECK_THROWS_AS(rep.bind("tcp://127.0.0.1:*"), zg::socket_error);
    REQUIRE(seen.named("socket.tampered").size() == 1);
    CHECK(seen.named("socket.tampered").front().field("option") == "mechanism");
  }
  SUBCASE("max message size") {
    curve_rep_t rep(ctx, auth, server_keys);
    std::int64_t const unlimited = -1;
    REQUIRE(zmq_setsockopt(zg::detail::socket_access::handle(rep), ZMQ_MAXMSGSIZE, &unlimited, sizeof unlimited) == 0);
    CHECK_THROWS_AS(rep.bind("tcp://127.0.0.1:*"), zg::socket_error);
    CHECK(seen.named("socket.tampered").front().field("option") == "max_message_size");
  }
  SUBCASE("high-water mark, on a client's connect") {
    zg::socket<test_domain, zg::tcp, zg::req, zg::curve_client, rr_limits> req(ctx, zg::keypair::generate(),
                                                                                server_keys.public_part());
    int const unlimited = 0;
    REQUIRE(zmq_setsockopt(zg::detail::socket_access::handle(req), ZMQ_SNDHWM, &unlimited, sizeof unlimited) == 0);
    CHECK_THROWS_AS(req.connect("tcp://127.0.0.1:5999"), zg::socket_error);
    CHECK(seen.named("socket.tampered").front().field("option") == "send_hwm");
  }
}

TEST_CASE("escape hatches: the authenticator answers only for mechanisms its domain's sockets declare") {
  captured_events seen;
  zg::context<test_domain> ctx(seen.sink());
  zg::authenticator<test_domain> auth(ctx);
  auto handler = auth.share();
  auto request = [](std::string mechanism) {
    std::vector<zmq::message_t> f;
    for (std::string s : {std::string("1.0"), std::string("7"), std::string("test"), std::string("127.0.0.1"),
                          std::string(), mechanism})
      f.emplace_back(s.data(), s.size());
    return f;
  };
  auto f1 = request("NULL");
  CHECK(handler->answer(f1).status == "400");  // no NULL socket yet
  {
    temp_dir dir;
    zg::socket<test_domain, zg::ipc, zg::pull, zg::null_mechanism, rr_limits, zg::stream<order>> pull(ctx);
    auto f2 = request("NULL");
    CHECK(handler->answer(f2).status == "200");  // a NULL ipc socket exists now
  }
  auto f3 = request("NULL");
  CHECK(handler->answer(f3).status == "400");  // and is gone again
  // An inproc NULL socket causes no ZAP request, so it does not count.
  inproc_pull inproc(ctx);
  auto f4 = request("NULL");
  CHECK(handler->answer(f4).status == "400");
}
