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

// Each call answered, with the reply to that very request.
template <class Client>
void call_ids(Client& client, std::initializer_list<std::uint64_t> ids) {
  for (auto id : ids) {
    auto reply = client.call(numbered_order(id));
    REQUIRE_MESSAGE(reply.ok(), reply.reason());
    CHECK(reply->id == id);
  }
}

}  // namespace

TEST_CASE("vouch: documented test vectors (docs/wire-format.md, Broker vouch), format 1 is refused") {
  std::array<std::uint8_t, 32> raw{};
  for (std::size_t i = 0; i < raw.size(); ++i) raw[i] = std::uint8_t(i);
  auto const key = zg::signing_key<zg::blake2b_mac>::from_bytes(raw);
  std::vector<std::string> const payload{"hello"};
  std::string_view const id = "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7";
  std::uint64_t const ts = 1700000000000ull;
  // The same text vouched as a CURVE key and as a PLAIN user: two vouches.
  auto const as_key = zg::detail::make_vouch(key, zg::identity_kind::key, id, ts, 0x0102030405060708ull, 1, payload);
  auto const as_user = zg::detail::make_vouch(key, zg::identity_kind::user, id, ts, 0x0102030405060708ull, 1, payload);
  std::string const expected_key =
      "5a47560202467c6c8299531aca0068e5cf8b0100000807060504030201010000000000000001280072713a724d3e7d553f404c6e73"
      "34374531256b522e6f406e2546636d6d734c2f407b48385d79663790dbab2d9f8b373c96d959a20da44549e66e459c737ac67b23f6"
      "a226ad094c73";
  std::string const expected_user =
      "5a47560202467c6c8299531aca0068e5cf8b0100000807060504030201010000000000000002280072713a724d3e7d553f404c6e73"
      "34374531256b522e6f406e2546636d6d734c2f407b48385d79663775758e848ba21c097b8c668dced6572c515e06648fc0c73856d2"
      "85445e5ff0a3";
  // No one (a NULL front), sequence 2, two payload frames.
  auto const as_none = zg::detail::make_vouch(key, std::nullopt, "", ts, 0x0102030405060708ull, 2,
                                              std::vector<std::string>{"hello", "world"});
  std::string const expected_none =
      "5a47560202467c6c8299531aca0068e5cf8b01000008070605040302010200000000000000000000e5f54a83e17c8ec733c06ab4a1"
      "d13659063f350beef57a08ee3eda582f063815";
  CHECK(to_hex(as_key) == expected_key);
  CHECK(to_hex(as_user) == expected_user);
  CHECK(to_hex(as_none) == expected_none);
  std::ifstream doc(std::filesystem::path(ZGUARD_SOURCE_DIR) / "docs" / "wire-format.md");
  std::stringstream text;
  text << doc.rdbuf();
  for (auto const& expected : {expected_key, expected_user, expected_none})
    CHECK_MESSAGE(text.str().find(expected) != std::string::npos, "a vector's hex is not in docs/wire-format.md");

  // A worker takes each with its kind; format 1 (the vector the previous
  // document gave, no kind) is malformed.
  zg::verify_keys<zg::blake2b_mac> keys;
  keys.add(key);
  zg::detail::vouch_checker<10000> checker(keys);
  auto frames = [](std::string const& v) {
    std::vector<zmq::message_t> f;
    f.emplace_back(v.data(), v.size());
    f.emplace_back(std::string_view("hello"));
    return f;
  };
  auto const k = checker.check(frames(as_key), ts);
  CHECK_FALSE(k.refused);
  CHECK(k.kind == zg::identity_kind::key);
  CHECK(k.user_id == id);
  auto const u = checker.check(frames(as_user), ts);  // same epoch and sequence: a replay, whatever its kind
  CHECK(u.refused == zg::vouch_reason::replay);
  auto const v1 = string_from_hex(
      "5a47560102467c6c8299531aca0068e5cf8b01000008070605040302010100000000000000280072713a724d3e7d553f404c6e7334"
      "374531256b522e6f406e2546636d6d734c2f407b48385d7966377cae6b661b15d6a7811b2dcb082e7cb6acfc5db8b633055efe8ced"
      "5387f51e2e");
  CHECK(zg::detail::vouch_checker<10000>(keys).check(frames(v1), ts).refused == zg::vouch_reason::malformed);
  // A kind byte that names no kind, or an id that does not fit its kind
  // (a key is 40 bytes, no one has none), is malformed before any MAC.
  for (auto const& [byte, text] : std::initializer_list<std::pair<std::uint8_t, std::string_view>>{
           {3, id}, {0, id}, {1, "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf"}, {2, ""}}) {
    auto bad = zg::detail::make_vouch(key, zg::identity_kind::user, "x", ts, 9, 1, payload);
    bad.resize(zg::detail::vouch_fixed_size);
    bad[37] = char(byte);
    bad[38] = char(text.size());
    bad.append(text).append(zg::detail::vouch_mac_size, '\0');
    CHECK(zg::detail::vouch_checker<10000>(keys).check(frames(bad), ts).refused == zg::vouch_reason::malformed);
  }
  // The broker vouches for no one rather than for an id that does not fit
  // its kind (never made by ZAP).
  auto const odd = zg::detail::make_vouch(key, zg::identity_kind::key, "not a key", ts, 9, 2, payload);
  auto const none = zg::detail::vouch_checker<10000>(keys).check(frames(odd), ts);
  CHECK_FALSE(none.refused);
  CHECK_FALSE(none.kind);
  CHECK(none.user_id.empty());
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
  std::map<std::uint64_t, std::optional<zg::identity_kind>> kind_of;  // and its kind
  std::promise<void> bound;
  std::jthread worker([&](std::stop_token stop) {
    vouch_worker rep(ctx, worker_keys);
    (void)rep.bind(worker_ep);
    bound.set_value();
    rep.serve(
        [&](order const& o, zg::peer_info const& peer) {
          std::lock_guard lock(mu);
          client_of[o.id] = peer.vouched_client;
          kind_of[o.id] = peer.vouched_kind;
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
  auto const forged = zg::encode(numbered_order(900));
  auto const other = zg::encode(numbered_order(901));
  std::string const forged_s(forged.begin(), forged.end()), other_s(other.begin(), other.end());
  std::vector<std::string> const forged_payload{forged_s}, other_payload{other_s};
  auto const now = zg::detail::vouch_now_ms();
  std::uint64_t const epoch = 77;
  auto const alice_id = alice.public_part().z85();

  // No vouch at all.
  CHECK(inject(attacker, {forged_s}) == "vouch: missing");
  // Alice's key claimed under a key the worker does not hold.
  auto const stranger = zg::signing_key<zg::blake2b_mac>::generate();
  CHECK(inject(attacker, {zg::detail::make_vouch(stranger, zg::identity_kind::key, alice_id, now, epoch, 1,
                                                 forged_payload),
                          forged_s}) ==
        "vouch: unknown_key");
  // A genuine vouch with its MAC altered, its user id changed, or its kind
  // turned from key to user.
  auto genuine = zg::detail::make_vouch(shared, zg::identity_kind::key, alice_id, now, epoch, 2, forged_payload);
  auto tampered = genuine;
  tampered.back() ^= 1;
  CHECK(inject(attacker, {tampered, forged_s}) == "vouch: bad_mac");
  auto renamed = genuine;
  renamed[40] ^= 1;  // first byte of the user id
  CHECK(inject(attacker, {renamed, forged_s}) == "vouch: bad_mac");
  auto rekinded = genuine;
  rekinded[37] = 2;  // PLAIN user
  CHECK(inject(attacker, {rekinded, forged_s}) == "vouch: bad_mac");
  // A genuine vouch moved onto another payload.
  CHECK(inject(attacker, {genuine, other_s}) == "vouch: bad_mac");
  // A stale one (a minute old; the worker allows 5 s).
  CHECK(inject(attacker, {zg::detail::make_vouch(shared, zg::identity_kind::key, alice_id, now - 60'000, epoch, 3,
                                                 forged_payload),
                          forged_s}) == "vouch: stale");
  // Garbage where the vouch belongs, and a vouch without a payload.
  auto future_version = genuine;
  future_version[3] = 9;
  CHECK(inject(attacker, {future_version, forged_s}) == "vouch: malformed");
  auto no_kind = genuine;
  no_kind[37] = 7;
  CHECK(inject(attacker, {no_kind, forged_s}) == "vouch: malformed");
  CHECK(inject(attacker, {genuine}) == "vouch: missing");
  // Replayed: the genuine message passes once (it stands for one sniffed
  // from the back side), then is refused.
  CHECK(inject(attacker, {genuine, forged_s}) == "");
  CHECK(inject(attacker, {genuine, forged_s}) == "vouch: replay");

  // A genuine vouch over a payload that does not decode: refused, naming the
  // client the broker vouched for (the connection's user id is the broker's).
  std::string const junk = "\x01\x02junk";
  (void)inject(attacker, {zg::detail::make_vouch(shared, zg::identity_kind::key, alice_id, now, epoch, 4,
                                                 std::vector<std::string>{junk}),
                          junk});
  auto const malformed = seen.named("message.refused");
  REQUIRE(!malformed.empty());
  CHECK(malformed.back().field("vouched_client") == alice_id);

  auto const refused = seen.named("vouch.refused");
  CHECK(refused.size() == 11);
  CHECK(ctx.events().count("vouch.refused") == 11);
  std::map<std::string, int> reasons;
  for (auto const& e : refused)
    for (auto const& [k, v] : e.fields)
      if (k == "reason") ++reasons[v];
  CHECK(reasons == std::map<std::string, int>{{"missing", 2}, {"unknown_key", 1}, {"bad_mac", 4}, {"stale", 1},
                                               {"malformed", 2}, {"replay", 1}});

  // The worker kept serving; every request under its true client's key.
  call_ids(a, {11, 12});
  call_ids(b, {111, 112});
  std::lock_guard lock(mu);
  for (std::uint64_t id : {1, 2, 3, 11, 12}) CHECK(client_of[id] == alice_id);
  for (std::uint64_t id : {101, 102, 103, 111, 112}) CHECK(client_of[id] == bob.public_part().z85());
  CHECK(client_of[900] == alice_id);  // the one replayed message that passed, once
  CHECK(client_of.count(901) == 0);
  for (auto const& [id, kind] : kind_of) CHECK(kind == zg::identity_kind::key);  // a CURVE front's clients are keys
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
  std::atomic<int> served = 0;
  auto worker = counting_worker<vouch_worker>(ctx, worker_ep, served, worker_keys);
  vouch_front front(ctx, auth, server_keys);
  vouch_back back(ctx);
  auto const front_ep = front.bind("tcp://127.0.0.1:*");
  back.connect(worker_ep);
  zg::proxy<vouch_front, vouch_back> plain_queue(ctx, front, back);
  vouch_client a(ctx, alice, server_keys.public_part());
  a.connect(front_ep);
  auto reply = a.call(numbered_order(1), 1);
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

// Keys and users kept apart behind a broker: one worker with a permission
// file, fed by two vouching queues, a PLAIN front on ipc and a CURVE front
// on tcp. The attackers are PLAIN account holders: one named exactly like
// a privileged CURVE key's Z85 text, one with a 40-byte name (a key's
// length) and a `user ... deny` rule of its own.
namespace {
using plain_front = zg::socket<test_domain, zg::ipc, zg::router, zg::plain_server, rr_limits>;
using plain_client = zg::socket<test_domain, zg::ipc, zg::req, zg::plain_client, rr_limits, order_service>;
using guarded_worker = zg::socket<test_domain, zg::ipc, zg::rep, zg::null_mechanism, rr_limits, order_service,
                                  zg::vouched<zg::blake2b_mac>, zg::authorized>;
using plain_queue = zg::proxy<plain_front, vouch_back, zg::vouch_clients<zg::blake2b_mac>>;

std::string const forty_byte_user = "nightly-report-service-account-for-batch";
std::string const password = "correct horse battery staple";

// The worker, both queues and their fronts' endpoints; the worker records
// who (text and kind) it served.
struct kind_rig {
  captured_events seen;
  temp_dir dir;
  zg::context<test_domain> ctx{seen.sink()};
  zg::authenticator<test_domain> auth{ctx};
  zg::keypair const server_keys = zg::keypair::generate(), privileged = zg::keypair::generate();
  std::string const privileged_id = privileged.public_part().z85();
  zg::signing_key<zg::blake2b_mac> const shared = zg::signing_key<zg::blake2b_mac>::generate();
  std::filesystem::path const perms_path = dir.path / "perms";
  std::optional<zg::permissions> perms;
  std::mutex mu;
  std::vector<std::string> served;  // "<kind> <vouched client>" of each request the handler ran
  std::optional<std::jthread> worker;
  std::optional<plain_front> pfront;
  std::optional<vouch_front> cfront;
  std::optional<vouch_back> pback, cback;
  std::optional<plain_queue> pqueue;
  std::optional<vouching_queue> cqueue;
  std::string plain_ep, curve_ep;

  // rules: the permission file's text, given the privileged key's Z85 text.
  template <class Rules>
  explicit kind_rig(Rules rules) {
    REQUIRE(forty_byte_user.size() == 40);
    auth.allow(privileged.public_part());
    auto const hash = zg::hash_password(password);
    auth.add_user(privileged_id, hash);  // a PLAIN account named like the key
    auth.add_user(forty_byte_user, hash);
    write_rules(rules(privileged_id));
    perms.emplace(zg::permissions::from_file(perms_path));
    zg::verify_keys<zg::blake2b_mac> worker_keys;
    worker_keys.add(shared);
    std::string const worker_ep = "ipc://" + (dir.path / "worker.sock").string();
    std::promise<void> bound;
    worker.emplace([this, worker_keys, worker_ep, &bound](std::stop_token stop) {
      guarded_worker rep(ctx, worker_keys, *perms);
      (void)rep.bind(worker_ep);
      bound.set_value();
      rep.serve(
          [&](order const& o, zg::peer_info const& peer) {
            std::lock_guard lock(mu);
            served.push_back((peer.vouched_kind ? std::string(zg::to_string(*peer.vouched_kind)) : "none") + " " +
                             peer.vouched_client.str());
            return order_ack{o.id, true, "ok"};
          },
          stop);
    });
    bound.get_future().get();
    pfront.emplace(ctx, auth);
    cfront.emplace(ctx, auth, server_keys);
    pback.emplace(ctx);
    cback.emplace(ctx);
    plain_ep = pfront->bind("ipc://" + (dir.path / "front.sock").string()).address;
    curve_ep = cfront->bind("tcp://127.0.0.1:*").address;
    pback->connect(worker_ep);
    cback->connect(worker_ep);
    pqueue.emplace(ctx, *pfront, *pback, shared);
    cqueue.emplace(ctx, *cfront, *cback, shared);
  }
  ~kind_rig() {
    pqueue.reset();
    cqueue.reset();
    worker.reset();
  }
  void write_rules(std::string const& rules) {
    std::ofstream(perms_path) << rules;
    std::filesystem::permissions(perms_path, std::filesystem::perms(0644));
  }
  // A PLAIN account's call through the PLAIN front.
  zg::call_result<order_ack> call_as_user(std::string const& name, std::uint64_t id) {
    plain_client c(ctx, zg::plain_credentials(name, password));
    c.connect(plain_ep);
    return c.call(numbered_order(id));
  }
  // The privileged key's call through the CURVE front.
  zg::call_result<order_ack> call_as_key(std::uint64_t id) {
    vouch_client c(ctx, privileged, server_keys.public_part());
    c.connect(curve_ep);
    return c.call(numbered_order(id));
  }
  std::vector<zguard::security_event> denials() const { return seen.named("authz.denied"); }
};
}  // namespace

TEST_CASE("vouch kinds: a PLAIN user named like a privileged CURVE key's Z85 text gets none of the key's rights") {
  kind_rig rig([](std::string const& key) { return "key " + key + " call allow test.order\n"; });

  auto impostor = rig.call_as_user(rig.privileged_id, 1);
  CHECK(impostor.status() == zg::call_status::refused_by_service);
  CHECK(impostor.reason() == "not permitted: call test.order");
  auto const denied = rig.denials();
  REQUIRE(denied.size() == 1);
  CHECK(denied[0].field("identity") == rig.privileged_id);
  CHECK(denied[0].field("identity_kind") == "user");

  // The key itself, through the CURVE front, keeps its rights.
  auto genuine = rig.call_as_key(2);
  CHECK_MESSAGE(genuine.ok(), genuine.reason());
  std::lock_guard lock(rig.mu);
  CHECK(rig.served == std::vector<std::string>{"key " + rig.privileged_id});
}

TEST_CASE("vouch kinds: a PLAIN user with a 40-byte name is judged by its own user rule, not as a key") {
  kind_rig rig([](std::string const&) {
    return "default call allow test.order\nuser " + forty_byte_user + " call deny test.order\n";
  });

  auto forty = rig.call_as_user(forty_byte_user, 1);
  CHECK(forty.status() == zg::call_status::refused_by_service);
  CHECK(forty.reason() == "not permitted: call test.order");
  auto const denied = rig.denials();
  REQUIRE(denied.size() == 1);
  CHECK(denied[0].field("identity") == forty_byte_user);
  CHECK(denied[0].field("identity_kind") == "user");

  // Others get the defaults: the key-named user and the key itself.
  auto other = rig.call_as_user(rig.privileged_id, 2);
  CHECK_MESSAGE(other.ok(), other.reason());
  auto key = rig.call_as_key(3);
  CHECK_MESSAGE(key.ok(), key.reason());
  std::lock_guard lock(rig.mu);
  CHECK(rig.served == std::vector<std::string>{"user " + rig.privileged_id, "key " + rig.privileged_id});
}

TEST_CASE("vouch kinds: behind a NULL front the broker vouches for no one, whom an authorized worker lets call nothing") {
  using null_front = zg::socket<test_domain, zg::ipc, zg::router, zg::null_mechanism, rr_limits>;
  using null_client = zg::socket<test_domain, zg::ipc, zg::req, zg::null_mechanism, rr_limits, order_service>;
  captured_events seen;
  temp_dir dir;
  zg::context<test_domain> ctx(seen.sink());
  auto const shared = zg::signing_key<zg::blake2b_mac>::generate();
  zg::verify_keys<zg::blake2b_mac> worker_keys;
  worker_keys.add(shared);
  zg::permission_set rules;
  rules.allow_default(zg::action::call, "test.order");  // every identity may call; no one is no identity
  zg::permissions perms(std::move(rules));
  std::string const worker_ep = "ipc://" + (dir.path / "worker.sock").string();
  std::atomic<int> served = 0;
  auto worker = counting_worker<guarded_worker>(ctx, worker_ep, served, worker_keys, perms);
  null_front front(ctx);
  vouch_back back(ctx);
  auto const front_ep = front.bind("ipc://" + (dir.path / "front.sock").string());
  back.connect(worker_ep);
  zg::proxy<null_front, vouch_back, zg::vouch_clients<zg::blake2b_mac>> queue(ctx, front, back, shared);
  null_client anonymous(ctx);
  anonymous.connect(front_ep);
  auto reply = anonymous.call(numbered_order(1));
  CHECK(reply.status() == zg::call_status::refused_by_service);
  CHECK(reply.reason() == "not permitted: call test.order");
  CHECK(served == 0);
  auto const denied = seen.named("authz.denied");
  REQUIRE(denied.size() == 1);
  CHECK(denied[0].field("identity_kind") == "none");
  CHECK(denied[0].field("identity") == "");
  queue.terminate();
  worker.request_stop();
}
