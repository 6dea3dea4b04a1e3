// Typed channels over real sockets (G9, G5): REQ/REP, PUB/SUB and PUSH/PULL
// carry only their schemas; malformed input is refused, logged and counted,
// and the socket keeps serving; a Python peer written from the wire-format
// document encodes byte for byte what we do and is served.
#include "schemas.hpp"
#include "support.hpp"

#include <future>
#include <stop_token>
#include <thread>

using namespace zguard_test;

namespace {

using order_service = zg::service<order, order_ack>;
using typed_rep = zg::socket<test_domain, zg::tcp, zg::rep, zg::curve_server, rr_limits, order_service>;
using typed_req = zg::socket<test_domain, zg::tcp, zg::req, zg::curve_client, rr_limits, order_service>;

using feed_limits = zg::limits<zg::send_hwm<1000>, zg::recv_hwm<1000>, zg::drop_when_full,
                               zg::max_message_size<256>, zg::linger_ms<0>, zg::send_timeout_ms<100>,
                               zg::recv_timeout_ms<300>, zg::handshake_timeout_ms<2000>>;
using tick_topic = zg::topic<"ticks", tick>;

order_ack acknowledge(order const& o, zg::peer_info const&) {
  std::int64_t total = 0;
  for (auto const& l : o.lines) total += l.qty.value();
  return order_ack{o.id, total > 0, "qty " + std::to_string(total)};
}

struct order_server : serving<typed_rep> {
  order_server(zg::context<test_domain>& ctx, zg::authenticator<test_domain>& auth, zg::keypair const& keys)
      : serving(ctx, auth, keys, acknowledge) {}
};

}  // namespace

TEST_CASE("typed REQ/REP: a request schema in, a reply schema out") {
  captured_events seen;
  curve_pair p(seen.sink());
  p.auth.allow(p.client_keys.public_part());
  order_server server(p.ctx, p.auth, p.server_keys);

  typed_req client(p.ctx, p.client_keys, p.server_keys.public_part());
  client.connect(server.endpoint);
  for (std::uint64_t i = 0; i < 50; ++i) {
    auto o = sample_order();
    o.id = i;
    auto reply = client.call(o, 3);
    REQUIRE_MESSAGE(reply.ok(), reply.reason());
    CHECK(*reply == order_ack{i, true, "qty 1005"});
  }
  CHECK(p.ctx.events().count("message.refused") == 0);
}

TEST_CASE("typed REQ/REP: a malformed request gets a refusal and the service goes on") {
  captured_events seen;
  curve_pair p(seen.sink());
  p.auth.allow(p.client_keys.public_part());
  order_server server(p.ctx, p.auth, p.server_keys);

  // An untyped client of the same service sends bytes of its choosing.
  curve_req raw(p.ctx, p.client_keys, p.server_keys.public_part());
  raw.connect(server.endpoint);
  auto bad = zg::encode(sample_order());
  bad[22] = 9;  // direction: not a declared side
  auto reply = raw.call(zmq::const_buffer(bad.data(), bad.size()), 3);
  REQUIRE(reply);
  auto refusal = zg::decode<zg::refusal>(reply->data(), reply->size());
  REQUIRE(refusal.ok());
  CHECK(refusal->reason == std::uint8_t(zg::decode_reason::unknown_enum_value));
  CHECK(refusal->field == "direction");
  auto v2 = zg::encode(order_v2{5});
  reply = raw.call(zmq::const_buffer(v2.data(), v2.size()), 3);
  REQUIRE(reply);
  CHECK(zg::decode<zg::refusal>(reply->data(), reply->size())->reason ==
        std::uint8_t(zg::decode_reason::wrong_version));

  REQUIRE(eventually([&] { return seen.named("message.refused").size() == 2; }));
  auto e = seen.named("message.refused").front();
  CHECK(e.field("reason") == "unknown_enum_value");
  CHECK(e.field("field") == "direction");
  CHECK(e.field("user_id") == p.client_keys.public_part().z85());

  // A typed client sees a refusal as an error result naming the reason.
  typed_req typed(p.ctx, p.client_keys, p.server_keys.public_part());
  typed.connect(server.endpoint);
  auto ok = typed.call(sample_order(), 3);
  CHECK_MESSAGE(ok.ok(), ok.reason());
}

TEST_CASE("typed PUB/SUB: only well-formed messages of the topic are delivered, in order") {
  captured_events seen;
  temp_dir dir;
  zg::context<test_domain> ctx(seen.sink());
  using tick_pub = zg::socket<test_domain, zg::ipc, zg::pub, zg::null_mechanism, feed_limits, tick_topic>;
  using tick_sub = zg::socket<test_domain, zg::ipc, zg::sub, zg::null_mechanism, feed_limits, tick_topic>;
  tick_pub publisher(ctx);
  auto ep = publisher.bind("ipc://" + (dir.path / "ticks.sock").string());
  // A second publisher on the same subscriber sends junk under the topic.
  zmq::context_t raw_ctx;
  zmq::socket_t junk(raw_ctx, zmq::socket_type::xpub);  // XPUB: sees the subscription arrive
  junk.set(zmq::sockopt::linger, 0);
  junk.set(zmq::sockopt::rcvtimeo, 5000);
  auto const junk_path = "ipc://" + (dir.path / "junk.sock").string();
  junk.bind(junk_path);

  tick_sub subscriber(ctx);
  subscriber.connect(ep);
  subscriber.connect(junk_path);
  // Slow joiner: publish probes until the subscription has reached both.
  REQUIRE(eventually([&] {
    (void)publisher.send(tick{"PROBE", 0, 0});
    return subscriber.receive<tick>().has_value();
  }));
  while (subscriber.receive<tick>()) {}  // drain probes
  zmq::message_t subscription;
  REQUIRE(junk.recv(subscription));  // "\x01ticks": the junk publisher now reaches the subscriber
  CHECK(subscription.to_string() == std::string("\x01ticks"));

  std::thread attacker([&] {
    auto v2 = zg::encode(order_v2{1});
    for (int i = 0; i < 50; ++i) {
      (void)junk.send(zmq::str_buffer("ticks"), zmq::send_flags::sndmore);
      (void)junk.send(zmq::buffer("\x01\x09test.tick\x01\x00\xff", 14), zmq::send_flags::none);  // bad length
      (void)junk.send(zmq::str_buffer("ticks"), zmq::send_flags::sndmore);
      (void)junk.send(zmq::const_buffer(v2.data(), v2.size()), zmq::send_flags::none);
      (void)junk.send(zmq::str_buffer("ticksX"), zmq::send_flags::none);  // wrong topic, one frame
    }
  });
  constexpr std::uint32_t count = 200;
  for (std::uint32_t i = 1; i <= count; ++i) REQUIRE(publisher.send(tick{"EURUSD", 100 + i, i}));
  std::uint32_t next = 1;
  while (next <= count) {
    auto got = subscriber.receive<tick>();
    if (!got) break;
    CHECK(got->value.seq == next);
    CHECK(got->value.symbol == "EURUSD");
    ++next;
  }
  attacker.join();
  CHECK(next == count + 1);  // none lost, none out of order
  // Junk that arrived after the last good tick is still being refused.
  CHECK(eventually([&] {
    (void)subscriber.receive<tick>();
    return ctx.events().count("message.refused") == 150;
  }));
}

TEST_CASE("typed PUSH/PULL stream over inproc") {
  captured_events seen;
  zg::context<test_domain> ctx(seen.sink());
  zg::socket<test_domain, zg::inproc, zg::push, zg::null_mechanism, inproc_limits, zg::stream<order>> push(ctx);
  zg::socket<test_domain, zg::inproc, zg::pull, zg::null_mechanism, inproc_limits, zg::stream<order>> pull(ctx);
  pull.connect(push.bind(zg::endpoint<zg::inproc, test_domain>("inproc://orders")));
  REQUIRE(push.send(sample_order()));
  auto got = pull.receive<order>();
  REQUIRE(got);
  CHECK(got->value == sample_order());
}

// receive(inbox) is receive() into one reused place: same values, and
// malformed messages are still refused (and counted) on the way.
TEST_CASE("typed PUSH/PULL into a reused inbox: every value, malformed frames refused") {
  captured_events seen;
  zg::context<test_domain> ctx(seen.sink());
  using push_t = zg::socket<test_domain, zg::inproc, zg::push, zg::null_mechanism, inproc_limits, zg::stream<order>>;
  using pull_t = zg::socket<test_domain, zg::inproc, zg::pull, zg::null_mechanism, inproc_limits, zg::stream<order>>;
  using raw_push_t = zg::socket<test_domain, zg::inproc, zg::push, zg::null_mechanism, inproc_limits>;
  push_t push(ctx);
  raw_push_t junk(ctx);
  pull_t pull(ctx);
  auto ep = zg::endpoint<zg::inproc, test_domain>("inproc://orders-inbox");
  pull.bind(ep);
  push.connect(ep);
  junk.connect(ep);
  zg::inbox<order> in;
  for (int i = 0; i < 50; ++i) {
    auto o = sample_order();
    o.id = std::uint64_t(i);
    if (i % 2) o.priority.reset();  // fields change between messages: the inbox holds the latest
    REQUIRE(junk.send("not an order"));
    REQUIRE(push.send(o));
    REQUIRE(pull.receive(in));
    CHECK(in.value() == o);
    CHECK(in.peer().user_id.empty());
  }
  CHECK(ctx.events().count("message.refused") >= 1);
}

TEST_CASE("a Python peer written from docs/wire-format.md: same bytes, and served") {
  auto [rc, out] = run_command(python_script("wire_peer.py vectors"));
  REQUIRE(rc == 0);
  auto expected = to_hex(zg::encode(sample_order())) + "\n" + to_hex(zg::encode(blank_order())) + "\n" +
                  to_hex(zg::encode(order_ack{7, true, "ok"})) + "\n" +
                  to_hex(zg::encode(tick{"EURUSD", -1, 3})) + "\n";
  CHECK(out == expected);

  temp_dir dir;
  captured_events seen;
  zg::context<test_domain> ctx(seen.sink());
  zg::authenticator<test_domain> auth(ctx);
  auto server_keys = zg::keypair::generate(), client_keys = zg::keypair::generate();
  zg::save_certificate(dir.path / "server.cert", server_keys);
  zg::save_certificate(dir.path / "client.cert", client_keys);
  auth.allow(client_keys.public_part());
  order_server server(ctx, auth, server_keys);
  auto [rc2, replies] = run_command(python_script("wire_peer.py client " + server.endpoint + " " +
                                                  (dir.path / "server.cert").string() + " " +
                                                  (dir.path / "client.cert_secret").string()));
  CHECK(rc2 == 0);
  CHECK(replies == "refused wrong_schema \n"
                   "ack 1001 accepted qty 3\n"
                   "refused out_of_range lines[0].qty\n");
  CHECK(ctx.events().count("message.refused") == 2);
}
