// Revocation reaches live sessions (G3, G18): once authenticator::revoke,
// remove_user, reload or permissions::replace has returned, the identity
// it took rights from gets no further reply or message on any socket kind
// (REP, ROUTER, raw REP, PUB, a queue's front, a forwarder's front and
// back), though its connection was made before and heartbeats would keep
// it; and the peers that were not revoked lose nothing (their messages are
// counted across the revocation).
#include "schemas.hpp"
#include "support.hpp"

#include <atomic>
#include <filesystem>
#include <future>
#include <stop_token>
#include <thread>

using namespace zguard_test;

namespace {
using order_service = zg::service<order, order_ack>;
using typed_rep = zg::socket<test_domain, zg::tcp, zg::rep, zg::curve_server, rr_limits, order_service>;
using typed_router = zg::socket<test_domain, zg::tcp, zg::router, zg::curve_server, rr_limits, order_service>;
using order_req = zg::socket<test_domain, zg::tcp, zg::req, zg::curve_client, rr_limits, order_service>;

order numbered(std::uint64_t id) {
  order o{};
  o.id = id;
  o.direction = side::buy;
  return o;
}

// `n` calls; how many were answered with their own id.
int answered(order_req& client, std::uint64_t first, int n) {
  int ok = 0;
  for (int i = 0; i < n; ++i) {
    auto r = client.call(numbered(first + std::uint64_t(i)), 1);
    ok += r.ok() && r->id == first + std::uint64_t(i);
  }
  return ok;
}

std::size_t count_for(captured_events const& seen, std::string const& name, std::string const& who) {
  auto const all = seen.named(name);
  return std::size_t(std::count_if(all.begin(), all.end(), [&](auto const& e) {
    return e.field("identity") == who || e.field("user_id") == who ||
           e.field("identities").find(who) != std::string::npos;
  }));
}

// A typed CURVE service (REP or ROUTER); alice is revoked while both she
// and bob are connected and calling.
template <class Server>
void revoked_caller_gets_nothing_more() {
  captured_events seen;
  zg::context<test_domain> ctx(seen.sink());
  zg::authenticator<test_domain> auth(ctx);
  auto server = zg::keypair::generate(), alice = zg::keypair::generate(), bob = zg::keypair::generate();
  auth.allow(alice.public_part()).allow(bob.public_part());
  std::atomic<int> served_alice{0};
  serving<Server> service(ctx, auth, server, [&](order const& o, zg::peer_info const& peer) {
    if (peer.user_id == alice.public_part().z85()) ++served_alice;
    return order_ack{o.id, true, "ok"};
  });
  order_req a(ctx, alice, server.public_part()), b(ctx, bob, server.public_part());
  a.connect(service.endpoint);
  b.connect(service.endpoint);
  REQUIRE(answered(a, 1, 10) == 10);
  REQUIRE(answered(b, 1, 10) == 10);

  auth.revoke(alice.public_part());
  int const before = served_alice.load();
  CHECK(answered(a, 100, 4) == 0);    // not one more reply, though her connection was open
  CHECK(answered(b, 100, 20) == 20);  // bob loses nothing
  CHECK(served_alice.load() <= before + 1);  // at most the request already in the handler
  CHECK(count_for(seen, "session.revoked", alice.public_part().z85()) >= 1);
  CHECK(count_for(seen, "session.revoked", bob.public_part().z85()) == 0);
  // Her connection was cut: she reconnected and the handshake refused her.
  CHECK(eventually([&] {
    auto const denied = seen.named("zap.deny");
    return std::any_of(denied.begin(), denied.end(),
                       [&](auto const& e) { return e.field("user_id") == alice.public_part().z85(); });
  }));
}
}  // namespace

TEST_CASE("revocation: a revoked key gets no further reply from a live REP session, others lose nothing") {
  revoked_caller_gets_nothing_more<typed_rep>();
}

TEST_CASE("revocation: a revoked key gets no further reply from a live ROUTER session, others lose nothing") {
  revoked_caller_gets_nothing_more<typed_router>();
}

TEST_CASE("revocation: a certificate removed and reloaded ends the key's live session (raw REP)") {
  using raw_rep = zg::socket<test_domain, zg::tcp, zg::rep, zg::curve_server, rr_limits>;
  captured_events seen;
  temp_dir dir, scratch;
  zg::context<test_domain> ctx(seen.sink());
  zg::authenticator<test_domain> auth(ctx);
  auto server = zg::keypair::generate(), alice = zg::keypair::generate(), bob = zg::keypair::generate();
  auto const allowlist = dir.path / "clients";
  std::filesystem::create_directory(allowlist);
  std::filesystem::permissions(allowlist, std::filesystem::perms::owner_all);
  for (auto const& [name, k] : {std::pair{"alice", &alice}, std::pair{"bob", &bob}}) {
    zg::save_certificate(scratch.path / (std::string(name) + ".cert"), *k);
    std::filesystem::copy_file(scratch.path / (std::string(name) + ".cert"),
                               allowlist / (std::string(name) + ".cert"));
  }
  auth.allow_directory(allowlist);
  std::promise<std::string> bound;
  std::jthread thread([&](std::stop_token stop) {
    raw_rep rep(ctx, auth, server);
    bound.set_value(rep.bind("tcp://127.0.0.1:*").address);
    rep.serve([](zmq::message_t const& m, zg::peer_info const&) { return m.to_string(); }, stop);
  });
  auto const endpoint = bound.get_future().get();
  zmq::context_t raw;
  auto client = [&](zg::keypair const& me) {
    zmq::socket_t s(raw, zmq::socket_type::dealer);
    s.set(zmq::sockopt::linger, 0);
    s.set(zmq::sockopt::rcvtimeo, 300);
    s.set(zmq::sockopt::sndtimeo, 300);
    s.set(zmq::sockopt::curve_serverkey, zmq::const_buffer(server.public_part().data(), 32));
    s.set(zmq::sockopt::curve_publickey, zmq::const_buffer(me.public_part().data(), 32));
    s.set(zmq::sockopt::curve_secretkey, zmq::const_buffer(me.secret_part().data(), 32));
    s.connect(endpoint);
    return s;
  };
  // Echoes: each request is "", text; each reply "", text.
  auto echoes = [](zmq::socket_t& s, std::string const& tag, int n) {
    int got = 0;
    for (int i = 0; i < n; ++i) {
      auto const text = tag + std::to_string(i);
      (void)s.send(zmq::const_buffer(), zmq::send_flags::sndmore);
      (void)s.send(zmq::buffer(text), zmq::send_flags::none);
      std::vector<zmq::message_t> reply;
      if (zmq::recv_multipart(s, std::back_inserter(reply)) && reply.size() == 2 && reply[1].to_string() == text) ++got;
    }
    return got;
  };
  auto a = client(alice), b = client(bob);
  REQUIRE(echoes(a, "a", 10) == 10);
  REQUIRE(echoes(b, "b", 10) == 10);
  std::filesystem::remove(allowlist / "alice.cert");
  auth.reload();
  CHECK(echoes(a, "after", 5) == 0);
  CHECK(echoes(b, "after", 20) == 20);
  CHECK(count_for(seen, "session.revoked", alice.public_part().z85()) >= 1);
  auto const cut = seen.named("session.revoked");
  REQUIRE_FALSE(cut.empty());
  CHECK(cut[0].field("connections_cut") == "1");
  CHECK(cut[0].field("mechanism") == "CURVE");
}

TEST_CASE("revocation: a removed PLAIN user gets no further reply over ipc, another user loses nothing") {
  using plain_rep = zg::socket<test_domain, zg::ipc, zg::rep, zg::plain_server, rr_limits, order_service>;
  using plain_req = zg::socket<test_domain, zg::ipc, zg::req, zg::plain_client, rr_limits, order_service>;
  captured_events seen;
  temp_dir dir;
  zg::context<test_domain> ctx(seen.sink());
  zg::authenticator<test_domain> auth(ctx);
  auth.add_user("carol", zg::hash_password("carol-pw")).add_user("dave", zg::hash_password("dave-pw"));
  std::promise<std::string> bound;
  std::jthread thread([&](std::stop_token stop) {
    plain_rep rep(ctx, auth);
    bound.set_value(rep.bind("ipc://" + (dir.path / "svc").string()).address);
    rep.serve([](order const& o, zg::peer_info const&) { return order_ack{o.id, true, "ok"}; }, stop);
  });
  auto const endpoint = bound.get_future().get();
  plain_req carol(ctx, zg::plain_credentials("carol", "carol-pw")), dave(ctx, zg::plain_credentials("dave", "dave-pw"));
  carol.connect(endpoint);
  dave.connect(endpoint);
  auto calls = [](plain_req& c, std::uint64_t first, int n) {
    int ok = 0;
    for (int i = 0; i < n; ++i) {
      auto r = c.call(numbered(first + std::uint64_t(i)), 1);
      ok += r.ok();
    }
    return ok;
  };
  REQUIRE(calls(carol, 1, 5) == 5);
  REQUIRE(calls(dave, 1, 5) == 5);
  auth.remove_user("carol");
  CHECK(calls(carol, 10, 3) == 0);
  CHECK(calls(dave, 10, 10) == 10);
  auto const cut = seen.named("session.revoked");
  REQUIRE_FALSE(cut.empty());
  CHECK(cut[0].field("identity") == "carol");
  CHECK(cut[0].field("mechanism") == "PLAIN");
}

namespace {
using tick_topic = zg::topic<"test.tick", tick>;
using feed_limits = zg::limits<zg::send_hwm<1000>, zg::recv_hwm<1000>, zg::drop_when_full, zg::max_message_size<4096>,
                               zg::linger_ms<0>, zg::send_timeout_ms<100>, zg::recv_timeout_ms<20>,
                               zg::handshake_timeout_ms<2000>>;
using curve_feed = zg::socket<test_domain, zg::tcp, zg::pub, zg::curve_server, feed_limits, tick_topic>;
using feed_sub = zg::socket<test_domain, zg::tcp, zg::sub, zg::curve_client, feed_limits, tick_topic>;

// Receives what has arrived; the highest sequence number of each message counted from `after`.
int received_after(feed_sub& s, std::uint32_t after) {
  int n = 0;
  while (auto m = s.receive()) n += m->value.seq > after;
  return n;
}
}  // namespace

TEST_CASE("revocation: a feed (CURVE PUB) sends nothing more to a revoked subscriber; the others go on") {
  captured_events seen;
  zg::context<test_domain> ctx(seen.sink());
  zg::authenticator<test_domain> auth(ctx);
  auto server = zg::keypair::generate(), alice = zg::keypair::generate(), bob = zg::keypair::generate();
  auth.allow(alice.public_part()).allow(bob.public_part());
  curve_feed pub(ctx, auth, server);
  auto const endpoint = pub.bind("tcp://127.0.0.1:*").address;
  feed_sub a(ctx, alice, server.public_part()), b(ctx, bob, server.public_part());
  a.connect(endpoint);
  b.connect(endpoint);
  std::uint32_t seq = 0;
  int a_got = 0, b_got = 0;
  for (int i = 0; i < 500 && (a_got < 10 || b_got < 10); ++i) {
    (void)pub.send(tick{"T", 1, ++seq});
    a_got += received_after(a, 0);
    b_got += received_after(b, 0);
  }
  REQUIRE(a_got >= 10);
  REQUIRE(b_got >= 10);

  auth.revoke(alice.public_part());
  std::uint32_t const revoked_at = seq;
  int alice_after = 0, bob_after = 0;
  for (int i = 0; i < 500 && bob_after < 30; ++i) {
    (void)pub.send(tick{"T", 1, ++seq});
    alice_after += received_after(a, revoked_at);
    bob_after += received_after(b, revoked_at);
  }
  for (int i = 0; i < 5; ++i) alice_after += received_after(a, revoked_at);
  CHECK(alice_after == 0);
  CHECK(bob_after >= 30);  // bob reconnected (every connection is cut) and is fed again
  auto const cut = seen.named("session.revoked");
  REQUIRE(cut.size() == 1);
  CHECK(cut[0].field("identity") == alice.public_part().z85());
  CHECK(cut[0].field("connections_cut") != "0");
}

namespace {
// Publications received whose body (a number) is above `after`.
int bodies_after(zmq::socket_t& s, long after) {
  int n = 0;
  std::vector<zmq::message_t> f;
  while (zmq::recv_multipart(s, std::back_inserter(f))) {
    if (f.size() == 2 && std::stol(f[1].to_string()) > after) ++n;
    f.clear();
  }
  return n;
}
}  // namespace

TEST_CASE("revocation: an authorized forwarder cuts a subscriber whose rights replace() removed, and a publisher "
          "whose key was revoked; the others lose nothing") {
  captured_events seen;
  zg::context<test_domain> ctx(seen.sink());
  zg::authenticator<test_domain> auth(ctx);
  auto front_keys = zg::keypair::generate(), back_keys = zg::keypair::generate();
  auto alice = zg::keypair::generate(), mallory = zg::keypair::generate(), dave = zg::keypair::generate(),
       erin = zg::keypair::generate();
  for (auto* k : {&alice, &mallory, &dave, &erin}) auth.allow(k->public_part());
  auto rules = [&](bool with_dave) {
    return "key " + alice.public_part().z85() + " publish allow market.>\n" + "key " + mallory.public_part().z85() +
           " publish allow market.>\n" + "key " + erin.public_part().z85() + " subscribe allow >\n" +
           (with_dave ? "key " + dave.public_part().z85() + " subscribe allow >\n" : std::string());
  };
  zg::permissions perms(zg::permission_set::parse(rules(true), "test"));
  relay_front front(ctx, auth, front_keys, perms);
  relay_back back(ctx, auth, back_keys, perms);
  auto const front_ep = front.bind("tcp://127.0.0.1:*").address;
  auto const back_ep = back.bind("tcp://127.0.0.1:*").address;
  zg::proxy<relay_front, relay_back> forwarder(ctx, front, back);

  zmq::context_t raw;
  auto alice_pub = raw_curve(raw, zmq::socket_type::pub, alice, front_keys);
  auto mallory_pub = raw_curve(raw, zmq::socket_type::pub, mallory, front_keys);
  alice_pub.connect(front_ep);
  mallory_pub.connect(front_ep);
  auto dave_sub = raw_curve(raw, zmq::socket_type::sub, dave, back_keys);
  auto erin_alice = raw_curve(raw, zmq::socket_type::sub, erin, back_keys);
  auto erin_mallory = raw_curve(raw, zmq::socket_type::sub, erin, back_keys);
  dave_sub.set(zmq::sockopt::subscribe, "market.");
  erin_alice.set(zmq::sockopt::subscribe, "market.alice");
  erin_mallory.set(zmq::sockopt::subscribe, "market.mallory");
  for (auto* s : {&dave_sub, &erin_alice, &erin_mallory}) s->connect(back_ep);
  long n = 0;
  auto publish = [&](zmq::socket_t& s, char const* topic) {
    auto const body = std::to_string(++n);
    (void)s.send(zmq::buffer(std::string_view(topic)), zmq::send_flags::sndmore);
    (void)s.send(zmq::buffer(body), zmq::send_flags::none);
  };
  int dave_got = 0, erin_a = 0, erin_m = 0;
  for (int i = 0; i < 500 && (dave_got < 10 || erin_a < 10 || erin_m < 10); ++i) {
    publish(alice_pub, "market.alice");
    publish(mallory_pub, "market.mallory");
    dave_got += bodies_after(dave_sub, 0);
    erin_a += bodies_after(erin_alice, 0);
    erin_m += bodies_after(erin_mallory, 0);
  }
  REQUIRE(dave_got >= 10);
  REQUIRE(erin_a >= 10);
  REQUIRE(erin_m >= 10);

  // Dave may no longer subscribe; mallory's key is revoked.
  perms.replace(zg::permission_set::parse(rules(false), "test"));
  auth.revoke(mallory.public_part());
  long const changed_at = n;
  int dave_after = 0, erin_a_after = 0, erin_m_after = 0;
  for (int i = 0; i < 500 && erin_a_after < 30; ++i) {
    publish(alice_pub, "market.alice");
    publish(mallory_pub, "market.mallory");
    dave_after += bodies_after(dave_sub, changed_at);
    erin_a_after += bodies_after(erin_alice, changed_at);
    erin_m_after += bodies_after(erin_mallory, changed_at);
  }
  for (int i = 0; i < 5; ++i) {
    dave_after += bodies_after(dave_sub, changed_at);
    erin_m_after += bodies_after(erin_mallory, changed_at);
  }
  CHECK(dave_after == 0);       // the back cut him, and lets him in no more
  CHECK(erin_m_after == 0);     // nothing of mallory's passes the front now
  CHECK(erin_a_after >= 30);    // erin and alice go on
  CHECK(count_for(seen, "authz.revoked", dave.public_part().z85()) >= 1);
  CHECK(count_for(seen, "session.revoked", mallory.public_part().z85()) >= 1);
}

namespace {
using queue_front = zg::socket<test_domain, zg::tcp, zg::router, zg::curve_server, rr_limits>;
using queue_back = zg::socket<test_domain, zg::inproc, zg::dealer, zg::null_mechanism, inproc_limits>;
using queue_worker = zg::socket<test_domain, zg::inproc, zg::rep, zg::null_mechanism, inproc_limits, order_service>;
}  // namespace

TEST_CASE("revocation: a queue's front drops a revoked client's requests and cuts it; its workers never see them") {
  captured_events seen;
  zg::context<test_domain> ctx(seen.sink());
  zg::authenticator<test_domain> auth(ctx);
  auto server = zg::keypair::generate(), alice = zg::keypair::generate(), bob = zg::keypair::generate();
  auth.allow(alice.public_part()).allow(bob.public_part());
  queue_front front(ctx, auth, server);
  queue_back back(ctx);
  auto const front_ep = front.bind("tcp://127.0.0.1:*").address;
  auto const back_ep = back.bind(zg::endpoint<zg::inproc, test_domain>("inproc://revocation-queue"));
  zg::proxy<queue_front, queue_back> queue(ctx, front, back);
  std::atomic<int> worked{0};
  std::jthread worker([&](std::stop_token stop) {
    queue_worker w(ctx);
    w.connect(back_ep);
    w.serve(
        [&](order const& o, zg::peer_info const&) {
          ++worked;
          return order_ack{o.id, true, "ok"};
        },
        stop);
  });
  order_req a(ctx, alice, server.public_part()), b(ctx, bob, server.public_part());
  a.connect(front_ep);
  b.connect(front_ep);
  REQUIRE(answered(a, 1, 10) == 10);
  REQUIRE(answered(b, 1, 10) == 10);
  auth.revoke(alice.public_part());
  int const worked_before = worked.load();
  CHECK(answered(a, 100, 4) == 0);
  int const worked_for_alice = worked.load() - worked_before;
  CHECK(worked_for_alice <= 1);  // at most one already past the front
  CHECK(answered(b, 100, 20) == 20);
  CHECK(count_for(seen, "session.revoked", alice.public_part().z85()) >= 1);
}
