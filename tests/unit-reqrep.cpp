// CURVE REQ/REP over real sockets: who is served, who is refused, what is
// logged, and how a client recovers from a dead server (G1, G3, G5, G6, G15).
#include "support.hpp"

#include <atomic>
#include <future>
#include <stop_token>
#include <thread>

using namespace zguard_test;
namespace zg = zguard;

namespace {

// A CURVE REP service on tcp://127.0.0.1:* answering "echo:<request>|<user id>".
struct echo_service {
  zg::context<test_domain>& ctx;
  zg::authenticator<test_domain>& auth;
  zg::keypair const& keys;
  std::string endpoint;
  std::jthread thread;

  echo_service(zg::context<test_domain>& c, zg::authenticator<test_domain>& a, zg::keypair const& k,
               std::string bind_to = "tcp://127.0.0.1:*")
      : ctx(c), auth(a), keys(k) {
    std::promise<std::string> bound;
    auto fut = bound.get_future();
    thread = std::jthread([this, &bound, bind_to](std::stop_token stop) {
      curve_rep rep(ctx, auth, keys);
      bound.set_value(rep.bind(bind_to).address);
      rep.serve(
          [](zmq::message_t const& req, zg::peer_info const& peer) {
            return "echo:" + req.to_string() + "|" + peer.user_id;
          },
          stop);
    });
    endpoint = fut.get();
  }
};

// A context with its authenticator, a server keypair and one client keypair.
struct curve_setup {
  captured_events seen;
  zg::context<test_domain> ctx{seen.sink()};
  zg::authenticator<test_domain> auth{ctx};
  zg::keypair server_keys = zg::keypair::generate();
  zg::keypair client_keys = zg::keypair::generate();
};

}  // namespace

TEST_CASE_FIXTURE(curve_setup, "CURVE REQ/REP: an allowlisted client is served and identified by its key") {
  auth.allow(client_keys.public_part());
  echo_service svc(ctx, auth, server_keys);

  curve_req client(ctx, client_keys, server_keys.public_part());
  client.connect(svc.endpoint);
  auto reply = client.call("hello", 5);
  REQUIRE(reply);
  CHECK(reply->to_string() == "echo:hello|" + client_keys.public_part().z85());
  CHECK(ctx.events().count("zap.allow") >= 1);
  CHECK(ctx.events().count("zap.deny") == 0);
}

TEST_CASE_FIXTURE(curve_setup, "CURVE REQ/REP: a client key not on the allowlist is refused and logged") {
  auto good = zg::keypair::generate();
  auto stranger = zg::keypair::generate();
  auth.allow(good.public_part());
  echo_service svc(ctx, auth, server_keys);

  curve_req intruder(ctx, stranger, server_keys.public_part());
  intruder.connect(svc.endpoint);
  CHECK_FALSE(intruder.call("let me in", 1));
  REQUIRE(eventually([&] { return !seen.named("zap.deny").empty(); }));
  auto deny = seen.named("zap.deny").front();
  CHECK(deny.field("user_id") == stranger.public_part().z85());
  CHECK(deny.field("reason") == "key not on allowlist");
  CHECK(deny.field("address") == "127.0.0.1");
  CHECK(eventually([&] { return ctx.events().count("handshake.failed_auth") >= 1; }));

  // The service still serves the allowlisted client.
  curve_req friendly(ctx, good, server_keys.public_part());
  friendly.connect(svc.endpoint);
  auto reply = friendly.call("hi", 5);
  REQUIRE(reply);
  CHECK(reply->to_string() == "echo:hi|" + good.public_part().z85());
}

TEST_CASE_FIXTURE(curve_setup, "CURVE REQ/REP: NULL and PLAIN clients cannot talk to a CURVE server") {
  echo_service svc(ctx, auth, server_keys);

  // Raw cppzmq peers: zguard's own types would not compile these clients.
  zmq::context_t raw;
  for (bool plain : {false, true}) {
    CAPTURE(plain);
    // The server logs the mechanism mismatch as failed_protocol, or as
    // failed_no_detail when the client noticed first and hung up.
    auto handshake_failures = [&] {
      return ctx.events().count("handshake.failed_protocol") + ctx.events().count("handshake.failed_no_detail");
    };
    auto const failures_before = handshake_failures();
    zmq::socket_t attacker(raw, zmq::socket_type::req);
    attacker.set(zmq::sockopt::linger, 0);
    attacker.set(zmq::sockopt::rcvtimeo, 500);
    if (plain) {
      attacker.set(zmq::sockopt::plain_username, "admin");
      attacker.set(zmq::sockopt::plain_password, "admin");
    }
    attacker.connect(svc.endpoint);
    (void)attacker.send(zmq::str_buffer("data"), zmq::send_flags::none);
    zmq::message_t reply;
    CHECK_FALSE(attacker.recv(reply));
    CHECK(eventually([&] { return handshake_failures() > failures_before; }));
  }
  CHECK(ctx.events().count("zap.allow") == 0);
}

TEST_CASE_FIXTURE(curve_setup, "CURVE REQ/REP: an oversized message disconnects only its sender") {
  auto a = zg::keypair::generate();
  auto b = zg::keypair::generate();
  auth.allow(a.public_part()).allow(b.public_part());
  echo_service svc(ctx, auth, server_keys);

  // The client's own limit is larger, so it sends; the server's 4096 refuses.
  using big_limits = zg::limits<zg::send_hwm<10>, zg::recv_hwm<10>, zg::block_when_full,
                                zg::max_message_size<1 << 20>, zg::linger_ms<0>, zg::send_timeout_ms<1000>,
                                zg::recv_timeout_ms<500>, zg::handshake_timeout_ms<2000>>;
  zg::socket<test_domain, zg::tcp, zg::req, zg::curve_client, big_limits> big(ctx, a, server_keys.public_part());
  big.connect(svc.endpoint);
  curve_req normal(ctx, b, server_keys.public_part());
  normal.connect(svc.endpoint);

  REQUIRE(normal.call("before", 5));
  CHECK_FALSE(big.call(std::string(8192, 'x'), 1));
  CHECK(eventually([&] { return ctx.events().count("peer.disconnected") >= 1; }));
  for (int i = 0; i < 20; ++i) {
    auto reply = normal.call("after" + std::to_string(i), 3);
    REQUIRE(reply);
    CHECK(reply->to_string() == "echo:after" + std::to_string(i) + "|" + b.public_part().z85());
  }
}

TEST_CASE_FIXTURE(curve_setup, "REQ recovers by itself when the server dies and comes back") {
  auth.allow(client_keys.public_part());

  auto svc = std::make_unique<echo_service>(ctx, auth, server_keys);
  std::string const endpoint = svc->endpoint;  // now a fixed port: rebind it later
  curve_req client(ctx, client_keys, server_keys.public_part());
  client.connect(endpoint);
  REQUIRE(client.call("one", 5));

  svc.reset();  // the server is gone
  std::atomic<bool> done{false};
  std::optional<zmq::message_t> reply;
  std::thread asker([&] {
    reply = client.call("two", 20);  // 20 x 500 ms at most
    done = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(1200));
  CHECK_FALSE(done.load());
  svc = std::make_unique<echo_service>(ctx, auth, server_keys, endpoint);
  asker.join();
  REQUIRE(reply);
  CHECK(reply->to_string() == "echo:two|" + client_keys.public_part().z85());
  CHECK(ctx.events().count("req.timeout") >= 1);
}

TEST_CASE("authenticator: one per context, reloadable allowlist directory") {
  captured_events seen;
  temp_dir dir;
  zg::context<test_domain> ctx(seen.sink());
  zg::authenticator<test_domain> auth(ctx);
  CHECK_THROWS_AS(zg::authenticator<test_domain>{ctx}, zg::authenticator_error);
  CHECK(ctx.has_authenticator());

  auto server_keys = zg::keypair::generate();
  auto client_keys = zg::keypair::generate();
  auto allow_dir = dir.path / "allowed";
  std::filesystem::create_directory(allow_dir);
  auth.allow_directory(allow_dir);  // empty for now
  echo_service svc(ctx, auth, server_keys);

  {
    curve_req client(ctx, client_keys, server_keys.public_part());
    client.connect(svc.endpoint);
    CHECK_FALSE(client.call("first", 1));
  }
  zg::save_certificate(allow_dir / "client.key", client_keys);
  std::filesystem::remove(allow_dir / "client.key_secret");
  auth.reload();
  curve_req client(ctx, client_keys, server_keys.public_part());
  client.connect(svc.endpoint);
  auto reply = client.call("second", 5);
  REQUIRE(reply);
  CHECK(ctx.events().count("zap.reloaded") == 1);
}

TEST_CASE_FIXTURE(curve_setup, "authenticator: IP deny list refuses an allowlisted key") {
  auth.allow(client_keys.public_part()).deny_address("127.0.0.1");
  echo_service svc(ctx, auth, server_keys);
  curve_req client(ctx, client_keys, server_keys.public_part());
  client.connect(svc.endpoint);
  CHECK_FALSE(client.call("x", 1));
  REQUIRE(eventually([&] { return !seen.named("zap.deny").empty(); }));
  CHECK(seen.named("zap.deny").front().field("reason") == "address denied");
}

TEST_CASE_FIXTURE(curve_setup, "CURVE over IPv6 loopback") {
  auth.allow(client_keys.public_part());
  echo_service svc(ctx, auth, server_keys, "tcp://[::1]:*");
  curve_req client(ctx, client_keys, server_keys.public_part());
  client.connect(svc.endpoint);
  auto reply = client.call("v6", 5);
  REQUIRE(reply);
  CHECK(reply->to_string() == "echo:v6|" + client_keys.public_part().z85());
}

TEST_CASE("the server socket keeps its ZAP handler alive after the authenticator object is gone") {
  captured_events seen;
  zg::context<test_domain> ctx(seen.sink());
  auto server_keys = zg::keypair::generate();
  auto good = zg::keypair::generate();
  auto stranger = zg::keypair::generate();
  auto auth = std::make_unique<zg::authenticator<test_domain>>(ctx);
  auth->allow(good.public_part());
  curve_rep rep(ctx, *auth, server_keys);
  auto ep = rep.bind("tcp://127.0.0.1:*");
  auth.reset();  // fail-closed: the handler lives as long as `rep`
  CHECK(ctx.has_authenticator());
  curve_req intruder(ctx, stranger, server_keys.public_part());
  intruder.connect(ep);
  (void)intruder.send("x");
  CHECK(eventually([&] { return ctx.events().count("zap.deny") >= 1; }));
  CHECK_FALSE(rep.receive());
}
