// One channel, several schemas (one_of<...>), and the schema evolution rule:
// versions are exact, a reader that takes two versions says so with
// one_of<v1, v2>. Over real sockets: a message outside the set is refused
// with a note naming what arrived and what the reader takes, counted, and
// the socket keeps serving; a truncated or forged header selects nothing.
#include "schemas.hpp"
#include "support.hpp"

#include <future>
#include <stop_token>
#include <thread>
#include <variant>

using namespace zguard_test;

namespace {

using mixed = zg::one_of<order, tick>;
using both_orders = zg::one_of<order, order_v2>;

using mixed_push = zg::socket<test_domain, zg::inproc, zg::push, zg::null_mechanism, inproc_limits, zg::stream<mixed>>;
using mixed_pull = zg::socket<test_domain, zg::inproc, zg::pull, zg::null_mechanism, inproc_limits, zg::stream<mixed>>;
using raw_push = zg::socket<test_domain, zg::inproc, zg::push, zg::null_mechanism, inproc_limits>;
using feed_limits = zg::limits<zg::send_hwm<1000>, zg::recv_hwm<1000>, zg::drop_when_full, zg::max_message_size<4096>,
                               zg::linger_ms<0>, zg::send_timeout_ms<100>, zg::recv_timeout_ms<100>,
                               zg::handshake_timeout_ms<2000>>;

zg::decode_error refused_as(std::vector<std::uint8_t> const& bytes) {
  auto r = zg::decode<mixed>(bytes);
  REQUIRE_FALSE(r.ok());
  return r.error();
}

bool send_bytes(raw_push& s, std::vector<std::uint8_t> const& b) { return s.send(zmq::const_buffer(b.data(), b.size())); }

}  // namespace

TEST_CASE("one_of: each alternative encodes as itself and decodes back as the one that arrived") {
  // No new bytes: a one_of encodes exactly as the alternative it holds.
  CHECK(zg::encode(mixed(sample_order())) == zg::encode(sample_order()));
  CHECK(zg::encode(mixed(tick{"EURUSD", -1, 3})) == zg::encode(tick{"EURUSD", -1, 3}));
  CHECK(mixed(tick{}).id().name == "test.tick");

  auto o = zg::decode<mixed>(zg::encode(sample_order()));
  REQUIRE(o.ok());
  REQUIRE(std::holds_alternative<order>(*o));
  CHECK(std::get<order>(*o) == sample_order());
  auto t = zg::decode<mixed>(zg::encode(tick{"EURUSD", -1, 3}));
  REQUIRE(t.ok());
  CHECK(std::visit([](auto const& m) { return std::string(std::remove_cvref_t<decltype(m)>::zguard_schema_id.name); },
                   t->as_variant()) == "test.tick");
  CHECK(std::get<tick>(*t) == tick{"EURUSD", -1, 3});

  // decode_into switches alternatives and reuses the one it holds.
  mixed into;
  REQUIRE_FALSE(zg::decode_into(into, zg::encode(tick{"A", 1, 1})));
  CHECK(std::get<tick>(into) == tick{"A", 1, 1});
  REQUIRE_FALSE(zg::decode_into(into, zg::encode(sample_order())));
  CHECK(std::get<order>(into) == sample_order());
  auto const e = zg::decode_into(into, zg::encode(note{"x", {}}));
  REQUIRE(e);
  CHECK(e->reason == zg::decode_reason::wrong_schema);
}

TEST_CASE("one_of: a schema outside the set, a truncated or forged header selects no alternative") {
  // Another schema: refused, the note names what came and what is taken.
  auto e = refused_as(zg::encode(note{"x", {}}));
  CHECK(e.reason == zg::decode_reason::wrong_schema);
  CHECK(e.offset == 1);
  CHECK(e.note == "arrived test.note v1; this reader takes one_of<test.order v1, test.tick v1>");
  CHECK(e.message().find("arrived test.note v1") != std::string::npos);
  // A name the set holds, another version: wrong_version.
  e = refused_as(zg::encode(order_v2{5}));
  CHECK(e.reason == zg::decode_reason::wrong_version);
  CHECK(e.note == "arrived test.order v2; this reader takes one_of<test.order v1, test.tick v1>");

  auto const good = zg::encode(tick{"EURUSD", -1, 3});
  // Every truncation of the header (and of the body) is refused, never misread.
  for (std::size_t n = 0; n < good.size(); ++n) {
    auto cut = std::vector<std::uint8_t>(good.begin(), good.begin() + std::ptrdiff_t(n));
    auto r = zg::decode<mixed>(cut);
    CHECK_FALSE(r.ok());
    if (n > 0 && n < zg::schema_header_size<tick>) CHECK(r.error().reason == zg::decode_reason::truncated);
  }
  // A name length that runs past the message: truncated, whatever follows.
  auto forged = good;
  forged[1] = 200;
  CHECK(refused_as(forged).reason == zg::decode_reason::truncated);
  // A prefix of an alternative's name ("test.tic"): no alternative.
  forged = good;
  forged[1] = 8;
  forged.erase(forged.begin() + 2 + 8);  // drop the 'k'
  CHECK(refused_as(forged).reason == zg::decode_reason::wrong_schema);
  // Another format byte: refused before any name is read.
  forged = good;
  forged[0] = 2;
  CHECK(refused_as(forged).reason == zg::decode_reason::unsupported_format);
  // A header naming order over a tick's body: decoded as an order, and the
  // body does not hold as one (the header picks the decoder, not the result).
  auto const order_header = zg::encode(blank_order());
  forged.assign(order_header.begin(), order_header.begin() + std::ptrdiff_t(zg::schema_header_size<order>));
  forged.insert(forged.end(), good.begin() + std::ptrdiff_t(zg::schema_header_size<tick>), good.end());
  auto r = zg::decode<mixed>(forged);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().reason != zg::decode_reason::wrong_schema);
  // Control bytes in a forged name never reach the log as such.
  auto odd = zg::encode(note{"x", {}});
  odd[3] = '\n';
  CHECK(refused_as(odd).note.find('\n') == std::string::npos);
}

TEST_CASE("one_of stream over PUSH/PULL: both alternatives delivered, another schema refused and counted, serving on") {
  captured_events seen;
  zg::context<test_domain> ctx(seen.sink());
  mixed_pull pull(ctx);
  mixed_push push(ctx);
  raw_push junk(ctx);
  auto ep = zg::endpoint<zg::inproc, test_domain>("inproc://mixed");
  pull.bind(ep);
  push.connect(ep);
  junk.connect(ep);

  REQUIRE(push.send(sample_order()));
  REQUIRE(push.send(tick{"EURUSD", 7, 1}));
  REQUIRE(push.send(mixed(tick{"GBPUSD", 8, 2})));  // a one_of value sends the alternative it holds
  auto a = pull.receive();
  REQUIRE(a);
  CHECK(std::get<order>(a->value) == sample_order());
  auto b = pull.receive();
  REQUIRE(b);
  CHECK(std::get<tick>(b->value) == tick{"EURUSD", 7, 1});
  auto c = pull.receive();
  REQUIRE(c);
  CHECK(std::get<tick>(c->value).symbol == "GBPUSD");

  // Messages of a schema outside the set among good ones: each is refused
  // with its note and counted; every good one is still delivered, in order.
  for (int i = 0; i < 20; ++i) {
    REQUIRE(send_bytes(junk, zg::encode(note{"x", {}})));
    REQUIRE(push.send(tick{"AUDUSD", i, std::uint32_t(i)}));
  }
  for (std::uint32_t i = 0; i < 20; ++i) {
    auto got = pull.receive();
    REQUIRE(got);
    CHECK(std::get<tick>(got->value).seq == i);
  }
  CHECK(eventually([&] {
    (void)pull.receive();  // reads what is still queued
    return seen.named("message.refused").size() == 20;
  }));
  auto refused = seen.named("message.refused");
  REQUIRE_FALSE(refused.empty());
  CHECK(refused.back().field("reason") == "wrong_schema");
  CHECK(refused.back().field("note") == "arrived test.note v1; this reader takes one_of<test.order v1, test.tick v1>");
  CHECK(ctx.events().count("message.refused") == 20);

  // The inbox form: the same dispatch, storage reused.
  zg::inbox<mixed> in;
  REQUIRE(push.send(tick{"NZDUSD", 1, 99}));
  REQUIRE(pull.receive(in));
  CHECK(std::get<tick>(in.value()).seq == 99u);
}

TEST_CASE("one_of topic over PUB/SUB and one_of service over REQ/REP") {
  captured_events seen;
  zg::context<test_domain> ctx(seen.sink());
  temp_dir dir;
  using feed = zg::topic<"mixed", mixed>;
  using mixed_pub = zg::socket<test_domain, zg::ipc, zg::pub, zg::null_mechanism, feed_limits, feed>;
  using mixed_sub = zg::socket<test_domain, zg::ipc, zg::sub, zg::null_mechanism, feed_limits, feed>;
  mixed_pub publisher(ctx);
  auto ep = publisher.bind("ipc://" + (dir.path / "mixed.sock").string());
  mixed_sub subscriber(ctx);
  subscriber.connect(ep);
  // Publish ticks until the subscription has arrived (PUB drops before it),
  // then an order: both alternatives arrive on the one topic.
  bool subscribed = false;
  for (int i = 0; i < 100 && !subscribed; ++i) {
    REQUIRE(publisher.send(tick{"T", i, std::uint32_t(i)}));
    if (auto got = subscriber.receive()) subscribed = std::holds_alternative<tick>(got->value);
  }
  REQUIRE(subscribed);
  REQUIRE(publisher.send(sample_order()));
  bool got_order = false;
  for (int i = 0; i < 100 && !got_order; ++i) {  // ticks sent before the order may still be queued
    auto got = subscriber.receive();
    REQUIRE(got);
    if (std::holds_alternative<order>(got->value)) {
      CHECK(std::get<order>(got->value) == sample_order());
      got_order = true;
    }
  }
  CHECK(got_order);

  // A service taking two request versions, answering each.
  using svc = zg::service<both_orders, order_ack>;
  using svc_rep = zg::socket<test_domain, zg::tcp, zg::rep, zg::curve_server, rr_limits, svc>;
  using svc_req = zg::socket<test_domain, zg::tcp, zg::req, zg::curve_client, rr_limits, svc>;
  zg::authenticator<test_domain> auth(ctx);
  auto server_keys = zg::keypair::generate(), client_keys = zg::keypair::generate();
  auth.allow(client_keys.public_part());
  serving<svc_rep> server(ctx, auth, server_keys, [](both_orders const& req, zg::peer_info const&) {
    return std::visit(
        [](auto const& o) {
          return order_ack{o.id, true, std::remove_cvref_t<decltype(o)>::zguard_schema_id.version == 1 ? "v1" : "v2"};
        },
        req.as_variant());
  });
  svc_req client(ctx, client_keys, server_keys.public_part());
  client.connect(server.endpoint);
  auto r1 = client.call(sample_order());
  REQUIRE_MESSAGE(r1.ok(), r1.reason());
  CHECK(*r1 == order_ack{42, true, "v1"});
  auto r2 = client.call(order_v2{9});
  REQUIRE_MESSAGE(r2.ok(), r2.reason());
  CHECK(*r2 == order_ack{9, true, "v2"});
  // A request outside the set gets a refusal naming the reason.
  curve_req raw(ctx, client_keys, server_keys.public_part());
  raw.connect(server.endpoint);
  auto const t = zg::encode(tick{});
  auto reply = raw.call(zmq::const_buffer(t.data(), t.size()), 3);
  REQUIRE(reply);
  auto refusal = zg::decode<zg::refusal>(reply->data(), reply->size());
  REQUIRE(refusal.ok());
  CHECK(refusal->reason == std::uint8_t(zg::decode_reason::wrong_schema));
  auto r3 = client.call(order_v2{10});  // and it goes on serving
  REQUIRE_MESSAGE(r3.ok(), r3.reason());
}

// The evolution rule (docs/wire-format.md): versions are exact.
TEST_CASE("schema evolution: a v2 reader refuses v1 naming both versions, one_of<v1, v2> takes both") {
  captured_events seen;
  zg::context<test_domain> ctx(seen.sink());
  using v1_push = zg::socket<test_domain, zg::inproc, zg::push, zg::null_mechanism, inproc_limits, zg::stream<order>>;
  using v2_push = zg::socket<test_domain, zg::inproc, zg::push, zg::null_mechanism, inproc_limits, zg::stream<order_v2>>;
  using v2_pull = zg::socket<test_domain, zg::inproc, zg::pull, zg::null_mechanism, inproc_limits, zg::stream<order_v2>>;
  using any_pull = zg::socket<test_domain, zg::inproc, zg::pull, zg::null_mechanism, inproc_limits,
                              zg::stream<both_orders>>;

  auto const at = [](char const* address) { return zg::endpoint<zg::inproc, test_domain>(address); };

  // A v1 sender to a v2-only reader: refused, with both versions named.
  v2_pull v2_reader(ctx);
  v2_reader.bind(at("inproc://orders-v2"));
  v1_push old_sender(ctx);
  old_sender.connect(at("inproc://orders-v2"));
  v2_push new_sender(ctx);
  new_sender.connect(at("inproc://orders-v2"));
  REQUIRE(old_sender.send(sample_order()));
  REQUIRE(eventually([&] {
    (void)v2_reader.receive();
    return !seen.named("message.refused").empty();
  }));
  auto e = seen.named("message.refused").back();
  CHECK(e.field("reason") == "wrong_version");
  CHECK(e.field("note") == "arrived test.order v1; this reader takes test.order v2");
  REQUIRE(new_sender.send(order_v2{3}));  // v2 still served
  bool got_v2 = false;
  for (int i = 0; i < 10 && !got_v2; ++i)
    if (auto got = v2_reader.receive()) got_v2 = got->value.id == 3u;
  CHECK(got_v2);

  // A reader declaring one_of<v1, v2> takes both and converts.
  any_pull reader(ctx);
  reader.bind(at("inproc://orders-any"));
  v1_push v1(ctx);
  v1.connect(at("inproc://orders-any"));
  v2_push v2(ctx);
  v2.connect(at("inproc://orders-any"));
  auto const as_v2 = [](both_orders const& m) {
    if (auto const* o = std::get_if<order>(&m)) return order_v2{o->id};
    return std::get<order_v2>(m);
  };
  auto const refused_before = seen.named("message.refused").size();
  REQUIRE(v1.send(sample_order()));
  auto first = reader.receive();
  REQUIRE(first);
  CHECK(as_v2(first->value) == order_v2{42});
  REQUIRE(v2.send(order_v2{43}));
  auto second = reader.receive();
  REQUIRE(second);
  CHECK(as_v2(second->value) == order_v2{43});
  CHECK(seen.named("message.refused").size() == refused_before);
}

// Signed: the header that picks the alternative is inside the signed
// payload, so a header changed on the way is dropped before decoding.
TEST_CASE("one_of on a signed stream: verified deliveries, a changed header is dropped, not dispatched") {
  captured_events seen;
  zg::context<test_domain> ctx(seen.sink());
  using mac = zg::signing<zg::blake2b_mac>;
  auto group = zg::signing_key<zg::blake2b_mac>::generate();
  zg::verify_keys<zg::blake2b_mac> keys;
  keys.add(group);
  using signed_push = zg::socket<test_domain, zg::inproc, zg::push, zg::null_mechanism, inproc_limits,
                                 zg::stream<mixed>, mac>;
  using signed_pull = zg::socket<test_domain, zg::inproc, zg::pull, zg::null_mechanism, inproc_limits,
                                 zg::stream<mixed>, mac>;
  signed_pull pull(ctx, keys);
  auto ep = zg::endpoint<zg::inproc, test_domain>("inproc://mixed-signed");
  pull.bind(ep);
  signed_push push(ctx, group);
  push.connect(ep);
  raw_push forger(ctx);
  forger.connect(ep);

  REQUIRE(push.send(tick{"EURUSD", 1, 1}));
  auto got = pull.receive();
  REQUIRE(got);
  CHECK(std::get<tick>(got->value).seq == 1u);
  CHECK(got->origin.sequence == 1);

  // A sealed tick whose header is rewritten to name order (same length
  // prefix region, other bytes): the signature no longer holds.
  zg::signer<zg::blake2b_mac> sealer(group);
  auto sealed = sealer.seal("", zg::encode(tick{"EURUSD", 2, 2}));
  auto* bytes = static_cast<std::uint8_t*>(sealed.data());
  auto const header_at = sealed.size() - zg::blake2b_mac::signature_size -
                         zg::encoded_size(tick{"EURUSD", 2, 2});
  REQUIRE(bytes[header_at + 2] == 't');
  bytes[header_at + 7] = 'o';  // "test.tick" -> "test.oick"
  REQUIRE(forger.send(sealed));
  REQUIRE(push.send(tick{"EURUSD", 3, 3}));
  bool third = false;
  for (int i = 0; i < 10 && !third; ++i)
    if (auto next = pull.receive()) third = std::get<tick>(next->value).seq == 3u;
  CHECK(third);
  CHECK(eventually([&] {
    (void)pull.receive();
    return !seen.named("verify.bad_signature").empty();
  }));
  CHECK(seen.named("message.refused").empty());
}

// authorized: a one_of request of one schema's versions is named by that
// name, and one call permission covers exactly those versions.
TEST_CASE("one_of<v1, v2> on an authorized service: one call permission, both versions, others refused") {
  captured_events seen;
  zg::context<test_domain> ctx(seen.sink());
  zg::authenticator<test_domain> auth(ctx);
  auto server_keys = zg::keypair::generate(), alice = zg::keypair::generate(), bob = zg::keypair::generate();
  auth.allow(alice.public_part());
  auth.allow(bob.public_part());
  zg::permission_set rules;
  rules.allow(zg::identity_kind::key, alice.public_part().z85(), zg::action::call, "test.order");
  zg::permissions perms(std::move(rules));
  using svc = zg::service<both_orders, order_ack>;
  using guarded_rep = zg::socket<test_domain, zg::tcp, zg::rep, zg::curve_server, rr_limits, svc, zg::authorized>;
  using svc_req = zg::socket<test_domain, zg::tcp, zg::req, zg::curve_client, rr_limits, svc>;

  std::promise<std::string> bound;
  std::jthread server([&](std::stop_token stop) {
    guarded_rep rep(ctx, auth, server_keys, perms);
    bound.set_value(rep.bind("tcp://127.0.0.1:*").address);
    rep.serve([](both_orders const& req, zg::peer_info const&) { return order_ack{req.id().version, true, "ok"}; },
              stop);
  });
  auto const ep = bound.get_future().get();
  svc_req as_alice(ctx, alice, server_keys.public_part()), as_bob(ctx, bob, server_keys.public_part());
  as_alice.connect(ep);
  as_bob.connect(ep);
  auto v1 = as_alice.call(sample_order());
  REQUIRE_MESSAGE(v1.ok(), v1.reason());
  CHECK(v1->id == 1u);
  auto v2 = as_alice.call(order_v2{7});
  REQUIRE_MESSAGE(v2.ok(), v2.reason());
  CHECK(v2->id == 2u);
  auto denied = as_bob.call(order_v2{8});
  CHECK(denied.status() == zg::call_status::refused_by_service);
  CHECK(denied.reason() == "not permitted: call test.order");
}

// A subscriber choosing at run time among declared topics, each with its
// schema. Nothing outside the declared set can be subscribed to, and a
// message is delivered only on a topic subscribed to now, exactly.
TEST_CASE("topics<...> SUB: run-time subscriptions among declared topics, each delivered as its schema") {
  captured_events seen;
  zg::context<test_domain> ctx(seen.sink());
  temp_dir dir;
  using market = zg::topics<zg::topic<"ticks", tick>, zg::topic<"notes", note>, zg::topic<"ticks.eu", tick>>;
  using market_sub = zg::socket<test_domain, zg::ipc, zg::sub, zg::null_mechanism, feed_limits, market>;
  static_assert(zg::traits_of<market_sub>::offers_subscribe);
  using tick_pub = zg::socket<test_domain, zg::ipc, zg::pub, zg::null_mechanism, feed_limits, zg::topic<"ticks", tick>>;
  using eu_pub = zg::socket<test_domain, zg::ipc, zg::pub, zg::null_mechanism, feed_limits, zg::topic<"ticks.eu", tick>>;
  using note_pub = zg::socket<test_domain, zg::ipc, zg::pub, zg::null_mechanism, feed_limits, zg::topic<"notes", note>>;
  using raw_pub = zg::socket<test_domain, zg::ipc, zg::pub, zg::null_mechanism, feed_limits>;
  auto at = [&](char const* n) { return "ipc://" + (dir.path / n).string(); };
  tick_pub ticks(ctx);
  eu_pub eu(ctx);
  note_pub notes(ctx);
  raw_pub junk(ctx);
  (void)ticks.bind(at("ticks.sock"));
  (void)eu.bind(at("eu.sock"));
  (void)notes.bind(at("notes.sock"));
  (void)junk.bind(at("junk.sock"));

  market_sub sub(ctx);
  for (auto n : {"ticks.sock", "eu.sock", "notes.sock", "junk.sock"}) sub.connect(at(n));
  CHECK_THROWS_WITH_AS(sub.subscribe("orders"),
                       "zguard::socket::subscribe: \"orders\" is not a topic of this socket's channel "
                       "(declared: \"ticks\", \"notes\", \"ticks.eu\")",
                       std::invalid_argument);
  CHECK_THROWS_AS(sub.subscribe(""), std::invalid_argument);       // "" would be every topic
  CHECK_THROWS_AS(sub.subscribe("tick"), std::invalid_argument);   // a prefix is another name
  CHECK_FALSE(sub.subscribed("ticks"));
  sub.subscribe("ticks");
  sub.subscribe("notes");
  sub.subscribe("notes");  // twice: still one subscription
  CHECK(sub.subscribed("ticks"));
  CHECK_FALSE(sub.subscribed("ticks.eu"));

  // Every publisher sends each round (ticks.eu reaches the socket by prefix
  // match of "ticks", and the junk publisher's "ticksX" as well).
  auto const ticksx = zg::encode(tick{"X", 0, 0});
  int got_ticks = 0, got_notes = 0;
  for (int round = 0; round < 200 && (got_ticks < 3 || got_notes < 3 || seen.named("message.refused").size() < 3);
       ++round) {
    REQUIRE(ticks.send(tick{"EURUSD", round, std::uint32_t(round)}));
    REQUIRE(eu.send(tick{"EU", round, std::uint32_t(round)}));
    REQUIRE(notes.send(note{"n", {}}));
    REQUIRE(junk.send("ticksX", true));
    REQUIRE(junk.send(zmq::const_buffer(ticksx.data(), ticksx.size())));
    for (int i = 0; i < 4; ++i) {
      auto got = sub.receive();
      if (!got) break;
      if (got->value.topic() == "ticks") {
        ++got_ticks;
        CHECK(got->value.index() == 0);
        CHECK(std::get<0>(got->value).symbol == "EURUSD");
      } else {
        ++got_notes;
        CHECK(got->value.topic() == "notes");
        CHECK(std::get<1>(got->value).text == "n");
      }
    }
  }
  CHECK(got_ticks >= 3);
  CHECK(got_notes >= 3);
  auto refused = seen.named("message.refused");
  REQUIRE(refused.size() >= 3);
  CHECK(refused.back().field("reason") == "wrong_schema");
  CHECK(refused.back().field("field") == "topic frame");

  // Unsubscribed: notes stop; ticks.eu, once subscribed, arrives as a tick.
  sub.unsubscribe("notes");
  sub.subscribe("ticks.eu");
  CHECK_FALSE(sub.subscribed("notes"));
  bool got_eu = false;
  int notes_after = 0;
  for (int round = 0; round < 200 && !got_eu; ++round) {
    REQUIRE(eu.send(tick{"EU", round, std::uint32_t(round)}));
    REQUIRE(notes.send(note{"late", {}}));
    for (int i = 0; i < 3; ++i) {
      auto got = sub.receive();
      if (!got) break;
      if (got->value.topic() == "ticks.eu") {
        got_eu = true;
        CHECK(std::get<2>(got->value).symbol == "EU");
      }
      if (got->value.topic() == "notes" && std::get<1>(got->value).text == "late") ++notes_after;
    }
  }
  CHECK(got_eu);
  CHECK(notes_after == 0);  // sent after the unsubscribe: never delivered
}

// Signed: the envelope names its topic, and a topics<...> SUB checks it
// against the frame's declared topic, so a message signed for one topic
// cannot be delivered as another's schema.
TEST_CASE("topics<...> SUB, signed: a message re-sent under another declared topic is dropped") {
  captured_events seen;
  zg::context<test_domain> ctx(seen.sink());
  temp_dir dir;
  using ed = zg::signing<zg::ed25519>;
  using market = zg::topics<zg::topic<"ticks", tick>, zg::topic<"notes", note>>;
  using market_sub = zg::socket<test_domain, zg::ipc, zg::sub, zg::null_mechanism, feed_limits, market, ed>;
  using tick_pub = zg::socket<test_domain, zg::ipc, zg::pub, zg::null_mechanism, feed_limits, zg::topic<"ticks", tick>, ed>;
  using raw_pub = zg::socket<test_domain, zg::ipc, zg::pub, zg::null_mechanism, feed_limits>;
  auto key = zg::signing_key<zg::ed25519>::generate();
  zg::verify_keys<zg::ed25519> keys;
  keys.add(key.verify_part());
  tick_pub ticks(ctx, key);
  raw_pub forger(ctx);
  (void)ticks.bind("ipc://" + (dir.path / "ticks.sock").string());
  (void)forger.bind("ipc://" + (dir.path / "forger.sock").string());
  market_sub sub(ctx, keys);
  sub.connect("ipc://" + (dir.path / "ticks.sock").string());
  sub.connect("ipc://" + (dir.path / "forger.sock").string());
  sub.subscribe("ticks");
  sub.subscribe("notes");

  // A genuine note envelope (same key), sent under the "ticks" frame.
  zg::signer<zg::ed25519> sealer(key);
  int delivered = 0;
  for (int round = 0; round < 200 && (delivered < 3 || seen.named("verify.re_topiced").empty()); ++round) {
    auto moved = sealer.seal("notes", zg::encode(note{"n", {}}));
    REQUIRE(forger.send("ticks", true));
    REQUIRE(forger.send(moved));
    REQUIRE(ticks.send(tick{"EURUSD", round, std::uint32_t(round)}));
    for (int i = 0; i < 2; ++i) {
      auto got = sub.receive();
      if (!got) break;
      CHECK(got->value.topic() == "ticks");
      CHECK(std::holds_alternative<tick>(got->value.as_variant()));
      ++delivered;
    }
  }
  CHECK(delivered >= 3);
  CHECK_FALSE(seen.named("verify.re_topiced").empty());
}

TEST_CASE("profiles and pipeline printing name every alternative and every declared topic") {
  CHECK(zg::channel_description<zg::stream<mixed>>() == "stream<one_of<test.order v1, test.tick v1>>");
  CHECK(zg::channel_description<zg::topics<zg::topic<"orders", both_orders>, zg::topic<"ticks", tick>>>() ==
        "topics<\"orders\": one_of<test.order v1, test.order v2>, \"ticks\": test.tick v1>");
  CHECK(zg::channel_description<zg::service<both_orders, tick>>() ==
        "service<one_of<test.order v1, test.order v2> -> test.tick v1>");
}
