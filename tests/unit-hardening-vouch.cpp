// Workers behind a broker know each request's client (vouch.hpp): the
// queue vouches for the client's authenticated key with a MAC its workers
// check. The attacker here reaches a worker directly on the back side (a
// raw NULL DEALER on the worker's ipc endpoint) and sends requests with no
// vouch, a forged MAC, a vouch of an unknown key, a genuine vouch moved to
// another payload (a sniffed one, made here with the shared key), a stale
// one and a replayed one: each is refused with "vouch.refused" and a
// refusal, and the worker keeps serving the broker's clients, each request
// under its true client key.
#include "schemas.hpp"
#include "support.hpp"

#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>

using namespace zguard_test;
using namespace std::chrono_literals;

namespace {

using order_service = zg::service<order, order_ack>;
using vouch_front = zg::socket<test_domain, zg::tcp, zg::router, zg::curve_server, rr_limits>;
using vouch_back = zg::socket<test_domain, zg::ipc, zg::dealer, zg::null_mechanism, rr_limits>;
using vouch_worker = zg::socket<test_domain, zg::ipc, zg::rep, zg::null_mechanism, rr_limits, order_service,
                                zg::vouched<zg::blake2b_mac, zg::freshness_ms<5000>>>;
using vouch_client = zg::socket<test_domain, zg::tcp, zg::req, zg::curve_client, rr_limits, order_service>;
using vouching_queue = zg::proxy<vouch_front, vouch_back, zg::vouch_clients<zg::blake2b_mac>>;

std::string hex(std::string_view bytes) {
  std::string out;
  char buf[3];
  for (unsigned char c : bytes) {
    std::snprintf(buf, sizeof buf, "%02x", c);
    out += buf;
  }
  return out;
}

order numbered(std::uint64_t id) {
  auto o = sample_order();
  o.id = id;
  return o;
}

// Each call answered, with the reply to that very request.
template <class Client>
void call_ids(Client& client, std::initializer_list<std::uint64_t> ids) {
  for (auto id : ids) {
    auto reply = client.call(numbered(id));
    REQUIRE_MESSAGE(reply.ok(), reply.reason());
    CHECK(reply->id == id);
  }
}

// The attacker: sends [empty] + frames to the worker, returns the refusal
// reason field it got back ("" when the reply was not a refusal).
std::string inject(zmq::socket_t& attacker, std::vector<std::string> const& frames) {
  REQUIRE(attacker.send(zmq::const_buffer(nullptr, 0), zmq::send_flags::sndmore));
  for (std::size_t i = 0; i < frames.size(); ++i)
    REQUIRE(attacker.send(zmq::buffer(frames[i]), i + 1 < frames.size() ? zmq::send_flags::sndmore : zmq::send_flags::none));
  std::vector<zmq::message_t> reply;
  REQUIRE(zmq::recv_multipart(attacker, std::back_inserter(reply)));
  REQUIRE(reply.size() == 2);
  auto const r = zg::decode<zg::refusal>(zg::detail::bytes_of(reply[1]));
  return r ? r->field.str() : "";
}

}  // namespace

TEST_CASE("vouch: documented test vector (docs/wire-format.md, Broker vouch)") {
  std::array<std::uint8_t, 32> raw{};
  for (std::size_t i = 0; i < raw.size(); ++i) raw[i] = std::uint8_t(i);
  auto const key = zg::signing_key<zg::blake2b_mac>::from_bytes(raw);
  std::vector<std::string> const payload{"hello"};
  auto const v = zg::detail::make_vouch(key, "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7", 1700000000000ull,
                                        0x0102030405060708ull, 1, payload);
  std::string const expected =
      "5a47560102467c6c8299531aca0068e5cf8b01000008070605040302010100000000000000280072713a724d3e7d553f404c6e7334"
      "374531256b522e6f406e2546636d6d734c2f407b48385d7966377cae6b661b15d6a7811b2dcb082e7cb6acfc5db8b633055efe8ced"
      "5387f51e2e";
  CHECK(hex(v) == expected);
  std::ifstream doc(std::filesystem::path(ZGUARD_SOURCE_DIR) / "docs" / "wire-format.md");
  std::stringstream text;
  text << doc.rdbuf();
  CHECK_MESSAGE(text.str().find(expected) != std::string::npos, "the vector's hex is not in docs/wire-format.md");
}

TEST_CASE("vouch: the worker sees each request's true client key, and forged, moved, stale and replayed vouches are refused") {
  captured_events seen;
  zg::context<test_domain> ctx(seen.sink());
  zg::authenticator<test_domain> auth(ctx);
  temp_dir dir;
  auto const server_keys = zg::keypair::generate(), alice = zg::keypair::generate(), bob = zg::keypair::generate();
  auth.allow(alice.public_part());
  auth.allow(bob.public_part());
  auto const shared = zg::signing_key<zg::blake2b_mac>::generate();
  zg::verify_keys<zg::blake2b_mac> worker_keys;
  worker_keys.add(shared);

  // The worker binds; the broker's back and (later) the attacker connect.
  std::string const worker_ep = "ipc://" + (dir.path / "worker.sock").string();
  std::mutex mu;
  std::map<std::uint64_t, std::string> client_of;  // order id -> vouched client
  std::promise<void> bound;
  std::jthread worker([&](std::stop_token stop) {
    vouch_worker rep(ctx, worker_keys);
    (void)rep.bind(worker_ep);
    bound.set_value();
    rep.serve(
        [&](order const& o, zg::peer_info const& peer) {
          std::lock_guard lock(mu);
          client_of[o.id] = peer.vouched_client;
          return order_ack{o.id, true, "ok"};
        },
        stop);
  });
  bound.get_future().get();
  CHECK(vouch_worker::profile().find("vouched=blake2b-256 (freshness_ms=5000)") != std::string::npos);

  vouch_front front(ctx, auth, server_keys);
  vouch_back back(ctx);
  auto const front_ep = front.bind("tcp://127.0.0.1:*");
  back.connect(worker_ep);
  vouching_queue queue(ctx, front, back, shared);
  CHECK(vouching_queue::profile().find("vouches") != std::string::npos);

  vouch_client a(ctx, alice, server_keys.public_part()), b(ctx, bob, server_keys.public_part());
  a.connect(front_ep);
  b.connect(front_ep);
  call_ids(a, {1, 2, 3});
  call_ids(b, {101, 102, 103});

  // The attacker on the back side, with the frames a real request has.
  zmq::context_t raw;
  zmq::socket_t attacker(raw, zmq::socket_type::dealer);
  attacker.set(zmq::sockopt::linger, 0);
  attacker.set(zmq::sockopt::rcvtimeo, 3000);
  attacker.connect(worker_ep);
  auto const forged = zg::encode(numbered(900));
  auto const other = zg::encode(numbered(901));
  std::string const forged_s(forged.begin(), forged.end()), other_s(other.begin(), other.end());
  std::vector<std::string> const forged_payload{forged_s}, other_payload{other_s};
  auto const now = zg::detail::vouch_now_ms();
  std::uint64_t const epoch = 77;
  auto const alice_id = alice.public_part().z85();

  // No vouch at all.
  CHECK(inject(attacker, {forged_s}) == "vouch: missing");
  // Alice's key claimed under a key the worker does not hold.
  auto const stranger = zg::signing_key<zg::blake2b_mac>::generate();
  CHECK(inject(attacker, {zg::detail::make_vouch(stranger, alice_id, now, epoch, 1, forged_payload), forged_s}) ==
        "vouch: unknown_key");
  // A genuine vouch with its MAC altered, or its user id changed.
  auto genuine = zg::detail::make_vouch(shared, alice_id, now, epoch, 2, forged_payload);
  auto tampered = genuine;
  tampered.back() ^= 1;
  CHECK(inject(attacker, {tampered, forged_s}) == "vouch: bad_mac");
  auto renamed = genuine;
  renamed[39] ^= 1;  // first byte of the user id
  CHECK(inject(attacker, {renamed, forged_s}) == "vouch: bad_mac");
  // A genuine vouch moved onto another payload.
  CHECK(inject(attacker, {genuine, other_s}) == "vouch: bad_mac");
  // A stale one (a minute old; the worker allows 5 s).
  CHECK(inject(attacker, {zg::detail::make_vouch(shared, alice_id, now - 60'000, epoch, 3, forged_payload), forged_s}) ==
        "vouch: stale");
  // Garbage where the vouch belongs, and a vouch without a payload.
  auto future_version = genuine;
  future_version[3] = 9;
  CHECK(inject(attacker, {future_version, forged_s}) == "vouch: malformed");
  CHECK(inject(attacker, {genuine}) == "vouch: missing");
  // Replayed: the genuine message passes once (it stands for one sniffed
  // from the back side), then is refused.
  CHECK(inject(attacker, {genuine, forged_s}) == "");
  CHECK(inject(attacker, {genuine, forged_s}) == "vouch: replay");

  auto const refused = seen.named("vouch.refused");
  CHECK(refused.size() == 9);
  CHECK(ctx.events().count("vouch.refused") == 9);
  std::map<std::string, int> reasons;
  for (auto const& e : refused)
    for (auto const& [k, v] : e.fields)
      if (k == "reason") ++reasons[v];
  CHECK(reasons == std::map<std::string, int>{{"missing", 2}, {"unknown_key", 1}, {"bad_mac", 3}, {"stale", 1},
                                               {"malformed", 1}, {"replay", 1}});

  // The worker kept serving; every request under its true client's key.
  call_ids(a, {11, 12});
  call_ids(b, {111, 112});
  std::lock_guard lock(mu);
  for (std::uint64_t id : {1, 2, 3, 11, 12}) CHECK(client_of[id] == alice_id);
  for (std::uint64_t id : {101, 102, 103, 111, 112}) CHECK(client_of[id] == bob.public_part().z85());
  CHECK(client_of[900] == alice_id);  // the one replayed message that passed, once
  CHECK(client_of.count(901) == 0);
  queue.terminate();
  worker.request_stop();
}

TEST_CASE("vouch: a worker that expects vouches refuses a broker that does not vouch") {
  captured_events seen;
  zg::context<test_domain> ctx(seen.sink());
  zg::authenticator<test_domain> auth(ctx);
  temp_dir dir;
  auto const server_keys = zg::keypair::generate(), alice = zg::keypair::generate();
  auth.allow(alice.public_part());
  zg::verify_keys<zg::blake2b_mac> worker_keys;
  worker_keys.add(zg::signing_key<zg::blake2b_mac>::generate());
  std::string const worker_ep = "ipc://" + (dir.path / "worker.sock").string();
  std::promise<void> bound;
  std::atomic<int> served = 0;
  std::jthread worker([&](std::stop_token stop) {
    vouch_worker rep(ctx, worker_keys);
    (void)rep.bind(worker_ep);
    bound.set_value();
    rep.serve(
        [&](order const& o, zg::peer_info const&) {
          ++served;
          return order_ack{o.id, true, "ok"};
        },
        stop);
  });
  bound.get_future().get();
  vouch_front front(ctx, auth, server_keys);
  vouch_back back(ctx);
  auto const front_ep = front.bind("tcp://127.0.0.1:*");
  back.connect(worker_ep);
  zg::proxy<vouch_front, vouch_back> plain_queue(ctx, front, back);
  vouch_client a(ctx, alice, server_keys.public_part());
  a.connect(front_ep);
  auto reply = a.call(numbered(1), 1);
  CHECK(reply.status() == zg::call_status::refused_by_service);  // the worker's refusal, passed back to the client
  CHECK(reply.reason().starts_with("vouch: "));
  CHECK(served == 0);
  CHECK(eventually([&] { return ctx.events().count("vouch.refused") >= 1; }));
  plain_queue.terminate();
  worker.request_stop();
}

TEST_CASE("vouch: a typed ROUTER worker behind a vouching queue with a capture knows each client") {
  captured_events seen;
  zg::context<test_domain> ctx(seen.sink());
  zg::authenticator<test_domain> auth(ctx);
  temp_dir dir;
  auto const server_keys = zg::keypair::generate(), alice = zg::keypair::generate(), bob = zg::keypair::generate();
  auth.allow(alice.public_part());
  auth.allow(bob.public_part());
  auto const shared = zg::signing_key<zg::blake2b_mac>::generate();
  zg::verify_keys<zg::blake2b_mac> worker_keys;
  worker_keys.add(shared);
  using router_worker = zg::socket<test_domain, zg::ipc, zg::router, zg::null_mechanism, rr_limits, order_service,
                                   zg::vouched<zg::blake2b_mac>>;
  using capture_limits = zg::limits<zg::send_hwm<100>, zg::recv_hwm<100>, zg::drop_when_full, zg::linger_ms<0>,
                                    zg::send_timeout_ms<100>, zg::recv_timeout_ms<100>>;
  using capture_t = zg::socket<test_domain, zg::inproc, zg::pub, zg::null_mechanism, capture_limits>;
  std::string const worker_ep = "ipc://" + (dir.path / "router-worker.sock").string();
  std::mutex mu;
  std::map<std::uint64_t, std::string> client_of;
  std::promise<void> bound;
  std::jthread worker([&](std::stop_token stop) {
    router_worker server(ctx, worker_keys);
    (void)server.bind(worker_ep);
    bound.set_value();
    server.serve(
        [&](order const& o, zg::peer_info const& peer) {
          std::lock_guard lock(mu);
          client_of[o.id] = peer.vouched_client;
          return order_ack{o.id, true, "ok"};
        },
        stop);
  });
  bound.get_future().get();
  vouch_front front(ctx, auth, server_keys);
  vouch_back back(ctx);
  capture_t capture(ctx);
  (void)capture.bind(zg::endpoint<zg::inproc, test_domain>("inproc://vouch-capture"));
  auto const front_ep = front.bind("tcp://127.0.0.1:*");
  back.connect(worker_ep);
  vouching_queue queue(ctx, front, back, capture, shared);
  vouch_client a(ctx, alice, server_keys.public_part()), b(ctx, bob, server_keys.public_part());
  a.connect(front_ep);
  b.connect(front_ep);
  call_ids(a, {1, 2});
  call_ids(b, {101, 102});
  call_ids(a, {3});
  std::lock_guard lock(mu);
  for (std::uint64_t id : {1, 2, 3}) CHECK(client_of[id] == alice.public_part().z85());
  for (std::uint64_t id : {101, 102}) CHECK(client_of[id] == bob.public_part().z85());
  CHECK(ctx.events().count("vouch.refused") == 0);
  queue.terminate();
  worker.request_stop();
}

TEST_CASE("vouch: a signed request behind a vouching queue: the vouch binds the sealed frame, the worker verifies both") {
  captured_events seen;
  zg::context<test_domain> ctx(seen.sink());
  zg::authenticator<test_domain> auth(ctx);
  temp_dir dir;
  auto const server_keys = zg::keypair::generate(), alice = zg::keypair::generate();
  auth.allow(alice.public_part());
  auto const shared = zg::signing_key<zg::blake2b_mac>::generate();
  zg::verify_keys<zg::blake2b_mac> worker_keys;
  worker_keys.add(shared);
  auto const client_key = zg::signing_key<zg::ed25519>::generate(), worker_key = zg::signing_key<zg::ed25519>::generate();
  zg::verify_keys<zg::ed25519> clients, workers;
  clients.add(client_key.verify_part());
  workers.add(worker_key.verify_part());
  using signed_worker = zg::socket<test_domain, zg::ipc, zg::rep, zg::null_mechanism, rr_limits, order_service,
                                   zg::signing<zg::ed25519>, zg::vouched<zg::blake2b_mac>>;
  using signed_client =
      zg::socket<test_domain, zg::tcp, zg::req, zg::curve_client, rr_limits, order_service, zg::signing<zg::ed25519>>;
  std::string const worker_ep = "ipc://" + (dir.path / "signed-worker.sock").string();
  std::mutex mu;
  std::map<std::uint64_t, std::pair<std::string, zg::key_id>> seen_by_worker;
  std::promise<void> bound;
  std::jthread worker([&](std::stop_token stop) {
    signed_worker server(ctx, worker_key, clients, worker_keys);
    (void)server.bind(worker_ep);
    bound.set_value();
    server.serve(
        [&](order const& o, zg::peer_info const& peer, zg::signed_origin const& origin) {
          std::lock_guard lock(mu);
          seen_by_worker[o.id] = {peer.vouched_client, origin.key};
          return order_ack{o.id, true, "ok"};
        },
        stop);
  });
  bound.get_future().get();
  vouch_front front(ctx, auth, server_keys);
  vouch_back back(ctx);
  auto const front_ep = front.bind("tcp://127.0.0.1:*");
  back.connect(worker_ep);
  vouching_queue queue(ctx, front, back, shared);
  signed_client a(ctx, alice, server_keys.public_part(), client_key, workers);
  a.connect(front_ep);
  call_ids(a, {1, 2, 3});
  std::lock_guard lock(mu);
  for (std::uint64_t id : {1, 2, 3}) {
    CHECK(seen_by_worker[id].first == alice.public_part().z85());
    CHECK(seen_by_worker[id].second == client_key.id());
  }
  CHECK(ctx.events().count("vouch.refused") == 0);
  CHECK(ctx.events().count("verify.malformed") == 0);
  queue.terminate();
  worker.request_stop();
}
