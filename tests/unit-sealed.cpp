// Sealed payloads (G19): a service channel's requests and answers sealed
// end to end, so a queue, its vouch and its capture see routing data only.
// Each attack is first shown to work on an unsealed channel where that
// makes sense (the capture reads the plaintext), then refused when sealed.
#include "schemas.hpp"
#include "support.hpp"
#include "support/sealed_vector.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

using namespace zguard_test;
using namespace std::chrono_literals;

namespace {

using order_service = zg::service<order, order_ack>;
using sealed_req = zg::socket<test_domain, zg::tcp, zg::req, zg::curve_client, rr_limits, order_service, zg::sealed<>>;
using plain_req = zg::socket<test_domain, zg::tcp, zg::req, zg::curve_client, rr_limits, order_service>;
using sealed_worker =
    zg::socket<test_domain, zg::inproc, zg::rep, zg::null_mechanism, inproc_limits, order_service, zg::sealed<>>;
using plain_worker = zg::socket<test_domain, zg::inproc, zg::rep, zg::null_mechanism, inproc_limits, order_service>;
using broker_front = zg::socket<test_domain, zg::tcp, zg::router, zg::curve_server, rr_limits>;
using broker_back = zg::socket<test_domain, zg::inproc, zg::dealer, zg::null_mechanism, inproc_limits>;
using capture_t = zg::socket<test_domain, zg::inproc, zg::push, zg::null_mechanism, inproc_limits>;
using capture_reader_t = zg::socket<test_domain, zg::inproc, zg::pull, zg::null_mechanism, inproc_limits>;
using ipc_sealed_rep =
    zg::socket<test_domain, zg::ipc, zg::rep, zg::null_mechanism, rr_limits, order_service, zg::sealed<>>;
using ipc_sealed_req =
    zg::socket<test_domain, zg::ipc, zg::req, zg::null_mechanism, rr_limits, order_service, zg::sealed<>>;
using ipc_sealed_router =
    zg::socket<test_domain, zg::ipc, zg::router, zg::null_mechanism, rr_limits, order_service, zg::sealed<>>;
using ipc_sealed_dealer =
    zg::socket<test_domain, zg::ipc, zg::dealer, zg::null_mechanism, rr_limits, order_service, zg::sealed<>>;
using signed_sealed_req = zg::socket<test_domain, zg::ipc, zg::req, zg::null_mechanism, rr_limits, order_service,
                                     zg::signing<zg::ed25519>, zg::sealed<>>;
using signed_sealed_rep = zg::socket<test_domain, zg::ipc, zg::rep, zg::null_mechanism, rr_limits, order_service,
                                     zg::signing<zg::ed25519>, zg::sealed<>>;

constexpr std::string_view secret_note = "PLAINTEXT-ONLY-ENDS-SEE";

order secret_order(std::uint64_t id) {
  auto o = numbered_order(id);
  o.blob = std::vector<std::uint8_t>{'S', 'E', 'C', 'R', 'E', 'T', '4', '2'};
  return o;
}
bool holds(std::string const& haystack, std::string_view needle) {
  return haystack.find(needle) != std::string::npos;
}

// A queue with a capture, CURVE at its front, `Worker`s behind it answering
// with secret_note; `Client` calls it n times. Returns every byte the
// capture saw, and checks every call was answered.
template <class Client, class Worker, class... ClientKey>
std::string run_through_capturing_queue(int n, zg::sealing_key const* service_key, ClientKey const&... pinned) {
  captured_events seen;
  zg::context<test_domain> ctx(seen.sink());
  zg::authenticator<test_domain> auth(ctx);
  auto server_keys = zg::keypair::generate(), client_keys = zg::keypair::generate();
  auth.allow(client_keys.public_part());
  broker_front front(ctx, auth, server_keys);
  broker_back back(ctx);
  capture_t capture(ctx);
  auto const front_ep = front.bind("tcp://127.0.0.1:*");
  static std::atomic<int> round{0};
  auto const tag = std::to_string(++round);
  auto const back_ep = back.bind(zg::endpoint<zg::inproc, test_domain>("inproc://sealed-back-" + tag));
  auto const capture_ep = capture.bind(zg::endpoint<zg::inproc, test_domain>("inproc://sealed-capture-" + tag));
  capture_reader_t capture_reader(ctx);
  capture_reader.connect(capture_ep);
  zg::proxy<broker_front, broker_back> queue(ctx, front, back, capture);
  std::jthread worker([&](std::stop_token stop) {
    auto w = [&] {
      if constexpr (std::is_same_v<Worker, sealed_worker>) return Worker(ctx, *service_key);
      else return (void)service_key, Worker(ctx);
    };
    auto rep = w();
    rep.connect(back_ep);
    rep.serve([](order const& o, zg::peer_info const&) { return order_ack{o.id, true, std::string(secret_note)}; },
              stop);
  });
  {
    Client client(ctx, client_keys, server_keys.public_part(), pinned...);
    client.connect(front_ep);
    for (int i = 1; i <= n; ++i) {
      auto r = client.call(secret_order(std::uint64_t(i)));
      REQUIRE(r.ok());
      CHECK(r.value().id == std::uint64_t(i));
      CHECK(r.value().note.view() == secret_note);
    }
  }
  std::string seen_bytes;
  for (int i = 0; i < 4 * n + 8; ++i) {
    auto m = capture_reader.receive_multipart();
    if (!m) break;
    for (auto const& f : *m) seen_bytes.append(static_cast<char const*>(f.data()), f.size());
  }
  worker.request_stop();
  worker.join();
  queue.terminate();
  return seen_bytes;
}

// A raw DEALER on a sealed REP's ipc endpoint: what an attacker who reaches
// the service (or a broker in front of it) can send.
struct sealed_rep_under_attack {
  captured_events seen;
  temp_dir dir;
  zg::context<test_domain> ctx{seen.sink()};
  zg::sealing_key key = zg::sealing_key::generate();
  ipc_sealed_rep rep{ctx, key};
  std::string endpoint = rep.bind("ipc://" + (dir.path / "rep").string()).address;
  zmq::context_t raw;
  zmq::socket_t attacker{raw, zmq::socket_type::dealer};
  sealed_rep_under_attack() {
    attacker.set(zmq::sockopt::linger, 0);
    attacker.set(zmq::sockopt::rcvtimeo, 2000);
    attacker.connect(endpoint);
  }
  // Sends one payload as a REQ would, serves one receive; the refusal's field ("" if none came).
  std::string send_and_serve(std::span<std::uint8_t const> payload, bool* served = nullptr) {
    REQUIRE(attacker.send(zmq::const_buffer(nullptr, 0), zmq::send_flags::sndmore));
    REQUIRE(attacker.send(zmq::const_buffer(payload.data(), payload.size())));
    auto got = rep.receive();
    if (served) *served = bool(got);
    if (got) (void)rep.send(order_ack{got->value.id, true, "served"});
    std::vector<zmq::message_t> reply;
    if (!zmq::recv_multipart(attacker, std::back_inserter(reply)) || reply.size() != 2) return "";
    auto const r = zg::decode<zg::refusal>(zg::detail::bytes_of(reply[1]));
    return r ? r->field.str() : "(sealed answer)";
  }
};

// A sealed request as a client would send it, to `to`, with these fields.
zg::detail::seal_run_secret const default_run = {1, 2, 3, 4, 5, 6, 7, 8};
std::vector<std::uint8_t> sealed_request_bytes(zg::sealing_public_key const& to, order const& o,
                                               std::uint64_t sequence = 1,
                                               std::uint64_t sent_at = zg::detail::seal_clock_ms(),
                                               zg::detail::seal_run_secret const& run = default_run) {
  auto const plain = zg::encode(o);
  std::vector<std::uint8_t> out(zg::detail::sealed_request_overhead + plain.size());
  std::copy(plain.begin(), plain.end(), out.begin() + zg::detail::sealed_request_payload_at);
  std::array<std::uint8_t, 32> eph{};
  std::array<std::uint8_t, 24> nonce{};
  randombytes_buf(eph.data(), eph.size());
  randombytes_buf(nonce.data(), nonce.size());
  zg::detail::answer_key answer;
  REQUIRE(zg::detail::seal_request_with(out.data(), plain.size(), to, run, sequence, sent_at, eph.data(),
                                        nonce.data(), answer));
  return out;
}

}  // namespace

TEST_CASE("sealed: a capturing queue reads the plaintext of an unsealed channel, and none of a sealed one") {
  // Unsealed: the broker's capture holds the request's and the answer's bytes.
  auto const open_bytes = run_through_capturing_queue<plain_req, plain_worker>(5, nullptr);
  CHECK(holds(open_bytes, "SECRET42"));
  CHECK(holds(open_bytes, secret_note));
  // Sealed: the same calls are answered; the capture holds no byte of either.
  auto const key = zg::sealing_key::generate();
  auto const sealed_bytes = run_through_capturing_queue<sealed_req, sealed_worker>(5, &key, key.public_part());
  CHECK(sealed_bytes.size() > 5 * 2 * zg::detail::sealed_request_overhead);  // it did capture every message
  CHECK_FALSE(holds(sealed_bytes, "SECRET42"));
  CHECK_FALSE(holds(sealed_bytes, secret_note));
  CHECK_FALSE(holds(sealed_bytes, "test.order"));  // the schema's name is sealed with its body
}

TEST_CASE("sealed: a ROUTER service and a caller's DEALER, and sealed with signed") {
  temp_dir dir;
  captured_events seen;
  zg::context<test_domain> ctx(seen.sink());
  auto const key = zg::sealing_key::generate();
  SUBCASE("ROUTER answers each of many calls in flight, sealed to its own request") {
    ipc_sealed_router router(ctx, key);
    auto const ep = router.bind("ipc://" + (dir.path / "router").string());
    ipc_sealed_dealer dealer(ctx, key.public_part());
    dealer.connect(ep);
    zg::caller<ipc_sealed_dealer, zg::in_flight<16>> calls(dealer);
    // Answered in reverse order: each answer opens only with its own request's key.
    std::jthread service([&] {
      std::vector<zg::routed<order>> held;
      for (int tries = 0; tries < 40 && held.size() < 8; ++tries)
        if (auto r = router.receive()) held.push_back(*r);
      REQUIRE(held.size() == 8);
      for (auto it = held.rbegin(); it != held.rend(); ++it)
        CHECK(router.reply(*it, order_ack{it->value.id, true, "for " + std::to_string(it->value.id)}));
    });
    std::vector<std::future<zg::call_result<order_ack>>> futures;
    for (std::uint64_t i = 1; i <= 8; ++i) futures.push_back(calls.call(secret_order(i), 10s));
    calls.run_until_idle(10s);
    service.join();
    for (std::uint64_t i = 1; i <= 8; ++i) {
      auto r = futures[i - 1].get();
      REQUIRE(r.ok());
      CHECK(r.value().note.view() == "for " + std::to_string(i));
    }
    CHECK(seen.named("seal.forged").empty());
  }
  SUBCASE("signed and sealed: the service verifies the signer, then opens") {
    auto const signer = zg::signing_key<zg::ed25519>::generate(), service_signer = zg::signing_key<zg::ed25519>::generate();
    zg::verify_keys<zg::ed25519> client_keys, service_keys;
    client_keys.add(signer.verify_part());
    service_keys.add(service_signer.verify_part());
    signed_sealed_rep rep(ctx, service_signer, client_keys, key);
    auto const ep = rep.bind("ipc://" + (dir.path / "signed").string());
    std::jthread server([&](std::stop_token stop) {
      rep.serve([](order const& o, zg::peer_info const&, zg::signed_origin const& origin) {
        return order_ack{o.id, true, origin.key.hex().substr(0, 16)};
      }, stop);
    });
    signed_sealed_req req(ctx, signer, service_keys, key.public_part());
    req.connect(ep);
    auto r = req.call(secret_order(7));
    REQUIRE(r.ok());
    CHECK(r.value().note.view() == signer.id().hex());
    server.request_stop();
  }
}

TEST_CASE("sealed: a service refuses unsealed, replayed, altered, stale and misaddressed requests, and keeps serving") {
  sealed_rep_under_attack t;
  auto const good = sealed_request_bytes(t.key.public_part(), secret_order(1), 1);
  bool served = false;
  CHECK(t.send_and_serve(good, &served) == "(sealed answer)");
  CHECK(served);

  SUBCASE("unsealed") {
    auto const plain = zg::encode(secret_order(2));
    CHECK(t.send_and_serve(plain) == "sealed: not_sealed");
  }
  SUBCASE("replayed, byte for byte") {
    CHECK(t.send_and_serve(good) == "sealed: replayed");
    CHECK(t.seen.named("seal.replayed").size() == 1);
  }
  SUBCASE("one byte altered: in the header (associated data), in the ciphertext, in the tag") {
    for (std::size_t at : {std::size_t(50), zg::detail::sealed_request_header + 3, good.size() - 1}) {
      auto bad = sealed_request_bytes(t.key.public_part(), secret_order(3), 100 + at);
      bad[at] ^= 0x01;
      CHECK(t.send_and_serve(bad) == "sealed: forged");
    }
  }
  SUBCASE("stale: sent two minutes ago") {
    auto const old = sealed_request_bytes(t.key.public_part(), secret_order(4), 5, zg::detail::seal_clock_ms() - 120000);
    CHECK(t.send_and_serve(old) == "sealed: stale");
  }
  SUBCASE("sealed to another service's key") {
    auto const other = zg::sealing_key::generate();
    CHECK(t.send_and_serve(sealed_request_bytes(other.public_part(), secret_order(5), 6)) == "sealed: unknown_key");
  }
  SUBCASE("a forged frame cannot move a run's replay window") {
    auto ahead = sealed_request_bytes(t.key.public_part(), secret_order(6), 1000000);
    ahead.back() ^= 0x01;
    CHECK(t.send_and_serve(ahead) == "sealed: forged");
    CHECK(t.send_and_serve(sealed_request_bytes(t.key.public_part(), secret_order(7), 2)) == "(sealed answer)");
  }
  SUBCASE("truncated and empty") {
    std::vector<std::uint8_t> cut(good.begin(), good.begin() + zg::detail::sealed_request_overhead - 1);
    CHECK(t.send_and_serve(cut) == "sealed: malformed");
    CHECK(t.send_and_serve(std::vector<std::uint8_t>{}) == "sealed: not_sealed");
  }
  // It keeps serving: a good request after every attack is answered.
  served = false;
  CHECK(t.send_and_serve(sealed_request_bytes(t.key.public_part(), secret_order(9), 3000000), &served) ==
        "(sealed answer)");
  CHECK(served);
}

TEST_CASE("sealed: a client opens only the answer to its own request, a device's forgery or splice is refused") {
  temp_dir dir;
  captured_events seen;
  zg::context<test_domain> ctx(seen.sink());
  auto const key = zg::sealing_key::generate();
  // The "service" is a raw REP in the attacker's hands that holds the service's key.
  zmq::context_t raw;
  zmq::socket_t raw_rep(raw, zmq::socket_type::rep);
  raw_rep.set(zmq::sockopt::linger, 0);
  raw_rep.set(zmq::sockopt::rcvtimeo, 2000);
  auto const path = "ipc://" + (dir.path / "fake").string();
  raw_rep.bind(path);
  zg::detail::request_opener<30000, 1024> opener(key);
  ipc_sealed_req client(ctx, key.public_part());
  client.connect(path);
  // Receives the client's request, opens it, answers with answer(plain, answer_key).
  auto serve_once = [&](auto answer) {
    zmq::message_t m;
    REQUIRE(raw_rep.recv(m));
    zg::detail::answer_key k;
    zmq::message_t plain;
    REQUIRE_FALSE(opener.open(zg::detail::bytes_of(m), k, plain));
    auto const req = zg::decode<order>(zg::detail::bytes_of(plain).subspan(zg::detail::seal_run_secret_size));
    REQUIRE(req);
    auto const out = answer(req.value(), k);
    (void)raw_rep.send(zmq::const_buffer(out.data(), out.size()));
  };
  auto sealed_answer = [](order_ack const& ack, zg::detail::answer_key const& k) {
    auto const plain = zg::encode(ack);
    std::vector<std::uint8_t> out(zg::detail::sealed_answer_overhead + plain.size());
    std::copy(plain.begin(), plain.end(), out.begin() + zg::detail::sealed_answer_header);
    std::array<std::uint8_t, 24> nonce{};
    randombytes_buf(nonce.data(), nonce.size());
    zg::detail::seal_answer_with(out.data(), plain.size(), k, nonce.data());
    return out;
  };
  std::optional<zg::call_result<order_ack>> result;
  SUBCASE("a well sealed answer is read") {
    std::jthread c([&] { result.emplace(client.call(secret_order(11), 1)); });
    serve_once([&](order const& o, auto const& k) { return sealed_answer(order_ack{o.id, true, "ok"}, k); });
    c.join();
    REQUIRE(result->ok());
    CHECK(result->value().note.view() == "ok");
  }
  SUBCASE("an unsealed answer (a device answering in the service's place) is refused") {
    std::jthread c([&] { result.emplace(client.call(secret_order(12), 1)); });
    serve_once([&](order const& o, auto const&) { return zg::encode(order_ack{o.id, true, "forged"}); });
    c.join();
    CHECK(result->status() == zg::call_status::timed_out);
    CHECK(seen.named("seal.not_sealed").size() == 1);
  }
  SUBCASE("an unsealed refusal tells why, as a device could by dropping the request") {
    std::jthread c([&] { result.emplace(client.call(secret_order(13), 1)); });
    serve_once([&](order const&, auto const&) { return zg::encode(zg::detail::refusal_of(zg::decode_reason::peer_refused, "busy")); });
    c.join();
    CHECK(result->status() == zg::call_status::refused_by_service);
  }
  SUBCASE("an answer sealed for another request (a splice) is refused") {
    std::jthread c([&] { result.emplace(client.call(secret_order(14), 1)); });
    serve_once([&](order const& o, auto const&) {
      zg::detail::answer_key other;
      other.armed = true;
      randombytes_buf(other.request.data(), 32);
      randombytes_buf(other.key.data(), 32);
      return sealed_answer(order_ack{o.id, true, "spliced"}, other);
    });
    c.join();
    CHECK(result->status() == zg::call_status::timed_out);
    CHECK(seen.named("seal.unknown_request").size() == 1);
  }
  SUBCASE("an answer naming the request but sealed with another key is refused") {
    std::jthread c([&] { result.emplace(client.call(secret_order(15), 1)); });
    serve_once([&](order const& o, auto const& k) {
      auto wrong = k;
      wrong.key[0] ^= 0x01;
      return sealed_answer(order_ack{o.id, true, "wrong key"}, wrong);
    });
    c.join();
    CHECK(result->status() == zg::call_status::timed_out);
    CHECK(seen.named("seal.forged").size() == 1);
  }
}

TEST_CASE("sealed: the wire format's test vector") {
  // docs/wire-format.md, "Sealed payloads": fixed keys, nonces and fields.
  // The same bytes come out of PyNaCl (tests/python/sealed_vector.py).
  sealed_vector const v;
  REQUIRE(v.sealed);
  auto const& key = v.key;
  auto const& plain = v.plain;
  auto const& request = v.request;
  CHECK(to_hex(std::span<std::uint8_t const>(key.public_part().data(), 32)) ==
        "07a37cbc142093c8b755dc1b10e86cb426374ad16aa853ed0bdfc0b2b86d1c7c");
  CHECK(to_hex(zg::detail::seal_run_name(v.run)) == "8d3182f6d0fd78beaae0e6d1e138696f");
  CHECK(to_hex(request) ==
        "530182cbd05a053c70e479a631eede1bf9c98f12032cdeadd0e7a079398fc786b88cc846ec89af85a51a8d3182f6d0fd78beaae0e6"
        "d1e138696f09000000000000000068e5cf8b010000808182838485868788898a8b8c8d8e8f9091929394959697317c53c7db7c075b"
        "e5a0375453650d6a831c09ae6c1d00165278ad0bd26e835c5928dab24818fdf2e6c78db3e74efc7d08c550bf7e4151aa02d4044a"
        "4446f7aef1900ff65c544f37013f3a24af052f68f941");
  auto const& reply = v.reply;
  CHECK(to_hex(reply) ==
        "540179a631eede1bf9c98f12032cdeadd0e7a079398fc786b88cc846ec89af85a51ac0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3"
        "d4d5d6d72a139b6592b17f8646e86d0c62e007ec6be0606ac4bac10b4572af78dd65453c2af8111cdffbb20db0e7843423bb58a4a57"
        "7");
  // And the service opens the request, the client the answer; the document holds both.
  zg::detail::sealed_request_fields f;
  REQUIRE_FALSE(zg::detail::read_sealed_request(request, f));
  zg::detail::answer_key opened;
  std::vector<std::uint8_t> got(zg::detail::sealed_opened_size(request.size()));
  REQUIRE_FALSE(zg::detail::open_request(request, key, f, opened, got.data()));
  CHECK(std::vector<std::uint8_t>(got.begin() + zg::detail::seal_run_secret_size, got.end()) == plain);
  CHECK(std::all_of(got.begin(), got.begin() + zg::detail::seal_run_secret_size, [](auto b) { return b == 0; }));
  std::vector<std::uint8_t> got_answer(plain.size());
  REQUIRE_FALSE(zg::detail::open_answer(reply, opened, got_answer.data()));
  CHECK(got_answer == plain);
  auto const doc = read_file(std::filesystem::path(ZGUARD_SOURCE_DIR) / "docs" / "wire-format.md");
  CHECK(holds(doc, to_hex(request)));
  CHECK(holds(doc, to_hex(reply)));
}

TEST_CASE("sealed: keys") {
  auto const k = zg::sealing_key::generate();
  CHECK(zg::sealing_public_key::from_z85(k.public_part().z85()) == k.public_part());
  CHECK(k.id() == k.public_part().id());
  // A small-order point would give a shared secret anyone knows.
  std::array<std::uint8_t, 32> zero{};
  CHECK_THROWS_AS(zg::sealing_public_key::from_bytes(zero), zg::key_error);
  // Nor can one be made from raw bytes past those checks (std::bit_cast needs a trivially copyable type).
  static_assert(!std::is_trivially_copyable_v<zg::sealing_public_key>);
}

TEST_CASE("sealed: a key given away with std::move still opens (a moved-from key crashed the service)") {
  temp_dir dir;
  captured_events seen;
  zg::context<test_domain> ctx(seen.sink());
  auto key = zg::sealing_key::generate();
  auto const kept = std::move(key);  // a config object taking the key, say
  ipc_sealed_rep rep(ctx, key);      // NOLINT(bugprone-use-after-move): the attack
  auto const ep = rep.bind("ipc://" + (dir.path / "moved").string());
  std::jthread server([&](std::stop_token stop) {
    rep.serve([](order const& o, zg::peer_info const&) { return order_ack{o.id, true, "opened"}; }, stop);
  });
  ipc_sealed_req req(ctx, kept.public_part());
  req.connect(ep);
  auto r = req.call(secret_order(3));
  REQUIRE(r.ok());
  CHECK(r.value().note.view() == "opened");
  server.request_stop();
}

TEST_CASE("sealed: runs cannot be pushed out to replay, nor poisoned by one who read their name") {
  auto const key = zg::sealing_key::generate();
  zg::detail::request_opener<30000, 1024> opener(key);
  auto open = [&](std::vector<std::uint8_t> const& frame) {
    zg::detail::answer_key k;
    zmq::message_t out;
    return opener.open(frame, k, out);
  };
  zg::detail::seal_run_secret victim{};
  randombytes_buf(victim.data(), victim.size());
  auto const captured = sealed_request_bytes(key.public_part(), secret_order(1), 1, zg::detail::seal_clock_ms(), victim);
  CHECK_FALSE(open(captured));
  CHECK(open(captured) == zg::detail::seal_drop::replayed);
  SUBCASE("4096 runs of its own, sealed with the public key, push the victim's run out: the replay is still refused") {
    for (int i = 0; i < 4096; ++i) {
      zg::detail::seal_run_secret mine{};
      randombytes_buf(mine.data(), mine.size());
      REQUIRE_FALSE(open(sealed_request_bytes(key.public_part(), secret_order(2), 1, zg::detail::seal_clock_ms(), mine)));
    }
    CHECK(open(captured) == zg::detail::seal_drop::replayed);  // before: accepted, the handler ran twice
    // The victim's next request, sent now, opens: its run starts again.
    std::this_thread::sleep_for(2ms);
    CHECK_FALSE(open(sealed_request_bytes(key.public_part(), secret_order(3), 2, zg::detail::seal_clock_ms(), victim)));
  }
  SUBCASE("a request in the victim's run (its name copied from the wire) at sequence 2^64-1") {
    // Sealed correctly to the service, but with the victim's run name in
    // the header and the attacker's own run secret inside (the name alone
    // is all a reader of the wire has).
    auto const name = zg::detail::seal_run_name(victim);
    std::array<std::uint8_t, 32> eph{}, eph_pub{}, req_key{}, ans_key{};
    std::array<std::uint8_t, 24> nonce{};
    randombytes_buf(eph.data(), eph.size());
    randombytes_buf(nonce.data(), nonce.size());
    crypto_scalarmult_base(eph_pub.data(), eph.data());
    REQUIRE(zg::detail::derive_seal_keys(eph.data(), key.public_part().data(), eph_pub.data(),
                                         key.public_part().data(), req_key.data(), ans_key.data()));
    zg::detail::seal_run_secret mine{};
    randombytes_buf(mine.data(), mine.size());
    auto const plain = zg::encode(secret_order(4));
    std::vector<std::uint8_t> body(mine.begin(), mine.end());
    body.insert(body.end(), plain.begin(), plain.end());
    std::vector<std::uint8_t> frame(zg::detail::sealed_request_overhead + plain.size());
    frame[0] = zg::detail::sealed_request_kind;
    frame[1] = zg::detail::sealed_format;
    auto const id = key.public_part().id();
    std::copy(id.bytes.begin(), id.bytes.end(), frame.begin() + 2);
    std::copy(eph_pub.begin(), eph_pub.end(), frame.begin() + 10);
    std::copy(name.begin(), name.end(), frame.begin() + 42);
    zg::detail::put_u64(frame.data() + 58, ~std::uint64_t(0));
    zg::detail::put_u64(frame.data() + 66, zg::detail::seal_clock_ms());
    std::copy(nonce.begin(), nonce.end(), frame.begin() + 74);
    crypto_aead_xchacha20poly1305_ietf_encrypt(frame.data() + zg::detail::sealed_request_header, nullptr, body.data(),
                                               body.size(), frame.data(), zg::detail::sealed_request_header, nullptr,
                                               nonce.data(), req_key.data());
    CHECK(open(frame) == zg::detail::seal_drop::forged);  // before: accepted, and the victim refused ever after
    CHECK_FALSE(open(sealed_request_bytes(key.public_part(), secret_order(5), 2, zg::detail::seal_clock_ms(), victim)));
  }
}

TEST_CASE("sealed: key files, written by zguard_keygen --seal x25519 and read back") {
  temp_dir dir;
  auto const out = dir.path / "service.seal";
  auto [rc, text] = run_command(std::string(ZGUARD_EXAMPLES_DIR) + "/zguard_keygen --out " + out.string() +
                                " --seal x25519 2>/dev/null");
  REQUIRE(rc == 0);
  auto const secret = zg::load_sealing_key(out);
  auto const pinned = zg::load_sealing_public_key(out);
  CHECK(pinned == secret.public_part());
  CHECK(text == pinned.z85() + "\n");  // the public key, for the clients' configuration
  CHECK(mode_of(dir.path / "service.seal_secret") == 0600);
  // A secret file others can read is refused, as a certificate's is.
  ::chmod((dir.path / "service.seal_secret").c_str(), 0644);
  CHECK_THROWS_AS(zg::load_sealing_key(out), zg::key_error);
  // The library's own writer, and a public file that does not say "seal".
  auto const other = zg::sealing_key::generate();
  zg::save_sealing_key(dir.path / "other.seal", other);
  CHECK(zg::load_sealing_key(dir.path / "other.seal").public_part() == other.public_part());
  write_file(dir.path / "plain.cert", "curve\n    public-key = \"" + other.public_part().z85() + "\"\n");
  CHECK_THROWS_AS(zg::load_sealing_public_key(dir.path / "plain.cert"), zg::key_error);
  // A secret file whose public key is another's.
  auto const mixed = read_file(dir.path / "other.seal_secret");
  auto const swapped = mixed.substr(0, mixed.find("public-key")) + "public-key = \"" + pinned.z85() + "\"\n" +
                       mixed.substr(mixed.find("    secret-key"));
  write_file(dir.path / "mixed.seal_secret", swapped, 0600);
  CHECK_THROWS_WITH_AS(zg::load_sealing_key(dir.path / "mixed.seal"), doctest::Contains("does not match"),
                       zg::key_error);
}
