// Sealed payloads (G19) with the Python module (python/zguard/sealed.py):
// PyNaCl makes the wire format's test vector, byte for byte the library's;
// a Python client (sockets.call, sealed_to) calls a sealed C++ REP over
// CURVE on tcp loopback, and a sealed C++ REQ and a caller's DEALER call a
// Python sealed service (sockets.Service, sealing_key) over ipc; both sides
// refuse the same crafted requests for the same reasons (a request in a
// run whose name does not match the secret inside it among them, and the
// replay of a run pushed out by 4096 others). Sealed feeds likewise: the
// feed vector from PyNaCl; a Python subscriber of a sealed C++ publisher
// (a member across epochs, and an outsider); a Python sealed publisher to a
// sealed C++ subscriber, both refusing the same crafted payloads for the
// same reasons, and the two openers judging the same crafted payloads
// alike. The peers (tests/python/sealed_vector.py, sealed_peer.py,
// sealed_feed_vector.py, sealed_feed_peer.py) run Debian's python3 with
// python3-zmq and python3-nacl; without them these tests fail, never skip.
#include "schemas.hpp"
#include "support.hpp"
#include "support/sealed_vector.hpp"

#include <zguard/detail/feed_seal.hpp>

#include <array>
#include <cstring>
#include <fstream>
#include <future>
#include <mutex>
#include <span>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

using namespace zguard_test;
using namespace std::chrono_literals;

namespace {

using order_service = zg::service<order, order_ack>;
using sealed_curve_rep =
    zg::socket<test_domain, zg::tcp, zg::rep, zg::curve_server, rr_limits, order_service, zg::sealed<>>;
using sealed_ipc_req =
    zg::socket<test_domain, zg::ipc, zg::req, zg::null_mechanism, rr_limits, order_service, zg::sealed<>>;
using sealed_ipc_dealer =
    zg::socket<test_domain, zg::ipc, zg::dealer, zg::null_mechanism, rr_limits, order_service, zg::sealed<>>;

// "python3 tests/python/sealed_peer.py ARGS", the module on its path.
std::string peer(std::string const& args) { return python_script_with_module("sealed_peer.py " + args); }

// A key's Z85 text as one shell word (Z85 has no single quote).
std::string quoted(std::string const& z85) { return "'" + z85 + "'"; }

// The descriptions of the test schemas, written by the describe_schemas tool.
std::filesystem::path describe_into(temp_dir const& dir) {
  auto const path = dir.path / "schemas.json";
  auto [rc, out] = run_command(std::string(ZGUARD_DESCRIBE_SCHEMAS) + " " + path.string());
  REQUIRE(rc == 0);
  REQUIRE(std::filesystem::exists(path));
  return path;
}

// Waits for a Python peer to write the endpoint it bound.
std::string endpoint_from(std::filesystem::path const& file) {
  std::string endpoint;
  REQUIRE(eventually(
      [&] {
        std::ifstream f(file);
        return f && std::getline(f, endpoint) && !endpoint.empty();
      },
      15s));
  return endpoint;
}

// A sealing key from known secret bytes: the Python peer is given them in hex.
struct sealing_material {
  std::array<std::uint8_t, 32> secret = [] {
    std::array<std::uint8_t, 32> s{};
    randombytes_buf(s.data(), s.size());
    return s;
  }();
  zg::sealing_key key = zg::sealing_key::from_bytes(secret);
};

// The interpreter checked, the described schemas, a context whose
// authenticator admits the client's CURVE key, and the certificates the
// Python client reads (zmq.auth.load_certificate).
struct python_session {
  temp_dir dir;
  std::filesystem::path schemas;
  captured_events seen;
  zg::context<test_domain> ctx{seen.sink()};
  zg::authenticator<test_domain> auth{ctx};
  zg::keypair server = zg::keypair::generate(), client = zg::keypair::generate();
  std::filesystem::path server_cert = dir.path / "server.cert", client_secret = dir.path / "client.cert_secret";
  python_session() {
    require_python();
    schemas = describe_into(dir);
    zg::save_certificate(server_cert, server);
    zg::save_certificate(dir.path / "client.cert", client);
    auth.allow(client.public_part());
  }
  // ENDPOINT SERVER_CERT CLIENT_CERT SCHEMAS: how sealed_peer.py's clients start.
  std::string client_args(std::string const& endpoint) const {
    return endpoint + " " + server_cert.string() + " " + client_secret.string() + " " + schemas.string();
  }
};

// A sealed C++ REP (CURVE, tcp loopback) holding `key`, serving in a
// thread until destroyed: an ack "cpp sealed ID", order 14 an application error.
struct sealed_service {
  std::string endpoint;
  std::jthread thread;
  sealed_service(python_session& py, zg::sealing_key const& key) {
    std::promise<std::string> bound;
    auto fut = bound.get_future();
    thread = std::jthread([&py, key, &bound](std::stop_token stop) {
      sealed_curve_rep rep(py.ctx, py.auth, py.server, key);
      bound.set_value(rep.bind("tcp://127.0.0.1:*").address);
      rep.serve(
          [](order const& o, zg::peer_info const&) {
            if (o.id == 14) throw zg::application_error(7, "cannot fill order 14");
            return order_ack{o.id, true, "cpp sealed " + std::to_string(o.id)};
          },
          stop);
    });
    endpoint = fut.get();
  }
};

// A sealed request as a client makes it, and the key its answer opens with.
struct crafted {
  std::vector<std::uint8_t> frame;
  zg::detail::answer_key answer;
};
// The run of the crafted requests: one client's.
zg::detail::seal_run_secret const& client_run() {
  static zg::detail::seal_run_secret const run = [] {
    zg::detail::seal_run_secret r{};
    randombytes_buf(r.data(), r.size());
    return r;
  }();
  return run;
}
template <class Msg>
crafted sealed_request(zg::sealing_public_key const& to, Msg const& msg, std::uint64_t sequence,
                       std::uint64_t sent_at = zg::detail::seal_clock_ms()) {
  auto const plain = zg::encode(msg);
  crafted c;
  c.frame.resize(zg::detail::sealed_request_overhead + plain.size());
  std::copy(plain.begin(), plain.end(), c.frame.begin() + zg::detail::sealed_request_payload_at);
  std::array<std::uint8_t, 32> eph{};
  std::array<std::uint8_t, 24> nonce{};
  randombytes_buf(eph.data(), eph.size());
  randombytes_buf(nonce.data(), nonce.size());
  REQUIRE(zg::detail::seal_request_with(c.frame.data(), plain.size(), to, client_run(), sequence, sent_at,
                                        eph.data(), nonce.data(), c.answer));
  return c;
}
// A request sealed to `to` by hand (docs/wire-format.md), in the client's
// run (its name, as read off the wire) with a run secret of its own
// inside: the tag verifies, the name does not match the secret.
template <class Msg>
crafted in_client_run(zg::sealing_public_key const& to, Msg const& msg, std::uint64_t sequence) {
  auto const name = zg::detail::seal_run_name(client_run());
  zg::detail::seal_run_secret mine{};
  std::array<std::uint8_t, 32> eph{}, eph_public{}, request_key{};
  std::array<std::uint8_t, 24> nonce{};
  randombytes_buf(mine.data(), mine.size());
  randombytes_buf(eph.data(), eph.size());
  randombytes_buf(nonce.data(), nonce.size());
  crypto_scalarmult_base(eph_public.data(), eph.data());
  crafted c;
  REQUIRE(zg::detail::derive_seal_keys(eph.data(), to.data(), eph_public.data(), to.data(), request_key.data(),
                                       c.answer.key.data()));
  c.answer.request = eph_public;
  c.answer.armed = true;
  auto const plain = zg::encode(msg);
  std::vector<std::uint8_t> body(mine.begin(), mine.end());
  body.insert(body.end(), plain.begin(), plain.end());
  c.frame.resize(zg::detail::sealed_request_overhead + plain.size());
  c.frame[0] = zg::detail::sealed_request_kind;
  c.frame[1] = zg::detail::sealed_format;
  auto const id = to.id();
  std::copy(id.bytes.begin(), id.bytes.end(), c.frame.begin() + 2);
  std::copy(eph_public.begin(), eph_public.end(), c.frame.begin() + 10);
  std::copy(name.begin(), name.end(), c.frame.begin() + 42);
  zg::detail::put_u64(c.frame.data() + 58, sequence);
  zg::detail::put_u64(c.frame.data() + 66, zg::detail::seal_clock_ms());
  std::copy(nonce.begin(), nonce.end(), c.frame.begin() + 74);
  crypto_aead_xchacha20poly1305_ietf_encrypt(c.frame.data() + zg::detail::sealed_request_header, nullptr,
                                             body.data(), body.size(), c.frame.data(),
                                             zg::detail::sealed_request_header, nullptr, nonce.data(),
                                             request_key.data());
  return c;
}

}  // namespace

TEST_CASE("sealed with Python: PyNaCl makes the wire format's test vector, byte for byte the C++ library's") {
  require_python();
  std::string const doc_path = std::string(ZGUARD_SOURCE_DIR) + "/docs/wire-format.md";
  auto [rc, out] = run_command(python_script_with_module("sealed_vector.py " + doc_path));
  CHECK(rc == 0);
  // The same inputs through the library (docs/wire-format.md, "Sealed payloads", "Test vector").
  sealed_vector const v;
  REQUIRE(v.sealed);
  auto const& plain = v.plain;
  auto const& request = v.request;
  auto const& reply = v.reply;
  auto const public_hex = to_hex(std::span<std::uint8_t const>(v.key.public_part().data(), 32));
  // Header 98, the run's secret 32, the payload, the tag 16.
  CHECK(request.size() == 98 + 32 + plain.size() + 16);
  CHECK(to_hex(zg::detail::seal_run_name(v.run)) == "8d3182f6d0fd78beaae0e6d1e138696f");
  CHECK(out == "public " + public_hex + "\nrequest " + to_hex(request) + "\nanswer " + to_hex(reply) +
                   "\nvector ok\n");
  // The document shows exactly these bytes.
  auto const doc = read_file(doc_path);
  for (auto const& hex : {public_hex, to_hex(request), to_hex(reply)})
    CHECK_MESSAGE(doc.find("`" + hex + "`") != std::string::npos, hex);
}

TEST_CASE("sealed with Python: a Python client (sockets.call, sealed_to) calls a sealed C++ service over CURVE") {
  python_session py;
  auto const key = zg::sealing_key::generate();
  sealed_service server(py, key);
  auto [rc, out] =
      run_command(peer("client " + py.client_args(server.endpoint) + " " + quoted(key.public_part().z85())));
  CHECK(rc == 0);
  CHECK(out == "ack 1 cpp sealed 1\n"
               "ack 2 cpp sealed 2\n"
               "ack 3 cpp sealed 3\n"
               "application_error 7: cannot fill order 14\n"              // sealed to the request
               "refused_by_service: out_of_range at lines[0].qty\n"     // the decoder's refusal, sealed too
               "ack 4 cpp sealed 4\n"                                     // sealed_to a key: one sealer per socket
               "ack 5 cpp sealed 5\n"
               "run kept sequence 5\n");
  CHECK(eventually([&] { return py.seen.named("message.refused").size() == 1; }));
  for (auto const* reason : {"not_sealed", "malformed", "unknown_key", "weak_key", "stale", "forged", "replayed"})
    CHECK_MESSAGE(py.seen.named(std::string("seal.") + reason).empty(), reason);
}

TEST_CASE("sealed with Python: a Python request sealed to another key is refused, sealed: unknown_key") {
  python_session py;
  auto const key = zg::sealing_key::generate(), other = zg::sealing_key::generate();
  sealed_service server(py, key);
  auto [rc, out] =
      run_command(peer("wrong_key " + py.client_args(server.endpoint) + " " + quoted(other.public_part().z85())));
  CHECK(rc == 0);
  CHECK(out == "refused_by_service: sealed: unknown_key\n");
  REQUIRE(eventually([&] { return py.seen.named("seal.unknown_key").size() == 1; }));
  CHECK(py.seen.named("seal.unknown_key").front().field("user_id") == py.client.public_part().z85());
}

TEST_CASE("sealed with Python: the C++ service and the module's opener refuse the same crafted requests alike") {
  python_session py;
  sealing_material m;
  auto const other = zg::sealing_key::generate();
  sealed_service server(py, m.key);
  auto [rc, out] = run_command(peer("verdicts " + py.client_args(server.endpoint) + " " + to_hex(m.secret) + " " +
                                    quoted(other.public_part().z85())));
  CHECK(rc == 0);
  // Each line: the case, the C++ service's verdict (its answer opened, or
  // its "sealed: <reason>"), the module's.
  CHECK(out == "good ok ok\n"
               "replayed replayed replayed\n"
               "unsealed not_sealed not_sealed\n"
               "empty not_sealed not_sealed\n"
               "cut malformed malformed\n"
               "format_2 malformed malformed\n"
               "other_key unknown_key unknown_key\n"
               "stale_past stale stale\n"
               "stale_future stale stale\n"
               "weak_zero weak_key weak_key\n"
               "weak_one weak_key weak_key\n"
               "forged_header forged forged\n"
               "forged_body forged forged\n"
               "forged_secret forged forged\n"
               "forged_tag forged forged\n"
               "forged_ahead forged forged\n"
               "after_forged_ahead ok ok\n"  // a forged frame did not move the run's window
               "forged_run forged forged\n"  // in the run by its name, another run's secret inside
               "after_forged_run ok ok\n"    // nor did that one
               // Two faults at once: both name the one checked first.
               "format_2_other_key malformed malformed\n"
               "other_key_stale unknown_key unknown_key\n"
               "stale_weak stale stale\n"
               "stale_forged stale stale\n"
               "weak_forged weak_key weak_key\n"
               "replayed_forged forged forged\n"
               // 4096 runs of others push the run out; its first request,
               // replayed, is still refused; its next one opens.
               "flood ok:ok:4096\n"
               "forgotten_replayed replayed replayed\n"
               "forgotten_next ok ok\n");
  CHECK(eventually([&] { return py.seen.named("seal.forged").size() == 7; }));
  CHECK(py.seen.named("seal.weak_key").size() == 3);
  CHECK(py.seen.named("seal.stale").size() == 4);
  CHECK(py.seen.named("seal.replayed").size() == 2);
  CHECK(py.seen.named("seal.unknown_key").size() == 2);
  CHECK(py.seen.named("seal.malformed").size() == 3);
}

TEST_CASE("sealed with Python: a sealed C++ REQ and a caller's DEALER call a Python sealed service (sockets.Service)") {
  require_python();
  temp_dir dir;
  auto const schemas = describe_into(dir);
  captured_events seen;
  zg::context<test_domain> ctx(seen.sink());
  sealing_material m;
  auto const endpoint = "ipc://" + (dir.path / "py-sealed").string();
  auto const endpoint_file = dir.path / "py-sealed.endpoint";
  auto python_peer = std::async(std::launch::async, [&] {
    return run_command(peer("serve " + endpoint + " " + endpoint_file.string() + " " + to_hex(m.secret) + " " +
                            schemas.string()));
  });
  REQUIRE(endpoint_from(endpoint_file) == endpoint);

  sealed_ipc_req client(ctx, m.key.public_part());
  client.connect(endpoint);
  auto reply = client.call(numbered_order(1), 3);
  REQUIRE_MESSAGE(reply.ok(), reply.reason());
  CHECK(*reply == order_ack{1, true, "py sealed 1"});
  auto refused = client.call(numbered_order(13), 3);  // the handler's refusal, sealed to the request
  CHECK(refused.status() == zg::call_status::refused_by_service);
  CHECK(refused.reason() == "python says no");
  auto app = client.call(numbered_order(14), 3);  // the handler's typed error
  CHECK(app.status() == zg::call_status::application_error);
  CHECK(app.application_code() == 7);
  CHECK(app.reason() == "python cannot fill order 14");
  auto failed = client.call(numbered_order(16), 3);  // the handler raised
  CHECK(failed.status() == zg::call_status::refused_by_service);
  CHECK(failed.reason() == "handler failed");

  // A caller's DEALER: correlated requests, the call id inside the seal,
  // each answer opened with its own request's key.
  {
    sealed_ipc_dealer dealer(ctx, m.key.public_part());
    dealer.connect(endpoint);
    zg::caller<sealed_ipc_dealer, zg::in_flight<8>> calls(dealer);
    std::vector<std::future<zg::call_result<order_ack>>> futures;
    for (std::uint64_t i = 21; i <= 24; ++i) futures.push_back(calls.call(numbered_order(i), 10s));
    calls.run_until_idle(10s);
    for (std::uint64_t i = 21; i <= 24; ++i) {
      auto r = futures[i - 21].get();
      REQUIRE_MESSAGE(r.ok(), r.reason());
      CHECK(r->note.view() == "py sealed " + std::to_string(i));
    }
  }

  // What an attacker who reaches the service sends (a raw DEALER): the
  // Python service answers each as the library's opener judges the same
  // bytes, fed in the same order.
  zmq::context_t raw;
  zmq::socket_t attacker(raw, zmq::socket_type::dealer);
  attacker.set(zmq::sockopt::linger, 0);
  attacker.set(zmq::sockopt::rcvtimeo, 10000);
  attacker.connect(endpoint);
  zg::detail::request_opener<30000, 1024> ours(m.key);
  auto const to = m.key.public_part();
  auto const good = sealed_request(to, numbered_order(31), 1);
  auto flip = [](crafted c, std::size_t at) {
    c.frame[at] ^= 0x01;
    return c;
  };
  auto weak = sealed_request(to, numbered_order(38), 8);
  std::fill(weak.frame.begin() + 10, weak.frame.begin() + 42, std::uint8_t(0));
  auto cut = sealed_request(to, numbered_order(33), 3);
  cut.frame.resize(zg::detail::sealed_request_overhead - 1);
  auto const other = zg::sealing_key::generate();
  struct attack {
    char const* name;
    crafted c;
    std::string expected;
  };
  std::vector<attack> attacks{
      {"good", good, "ok"},
      {"replayed", good, "replayed"},
      {"unsealed", crafted{zg::encode(numbered_order(32)), {}}, "not_sealed"},
      {"empty", crafted{}, "not_sealed"},
      {"cut", cut, "malformed"},
      {"other key", sealed_request(other.public_part(), numbered_order(34), 4), "unknown_key"},
      {"stale", sealed_request(to, numbered_order(35), 5, zg::detail::seal_clock_ms() - 120000), "stale"},
      {"weak key", weak, "weak_key"},
      {"forged header", flip(sealed_request(to, numbered_order(36), 6), 50), "forged"},
      {"forged body", flip(sealed_request(to, numbered_order(37), 7), zg::detail::sealed_request_payload_at + 3),
       "forged"},
      {"forged run secret", flip(sealed_request(to, numbered_order(44), 12), zg::detail::sealed_request_header + 3),
       "forged"},
      {"forged tag", flip(good, good.frame.size() - 1), "forged"},
      {"forged ahead", flip(sealed_request(to, numbered_order(39), 1000000), 100), "forged"},
      {"after forged ahead", sealed_request(to, numbered_order(40), 2), "ok"},
      // In the client's run by its name (read off the wire), at the last
      // sequence, with another run's secret inside.
      {"forged run", in_client_run(to, numbered_order(45), ~std::uint64_t(0)), "forged"},
      {"after forged run", sealed_request(to, numbered_order(46), 13), "ok"},
      // Two faults at once: the earlier check names it.
      {"stale, other key",
       sealed_request(other.public_part(), numbered_order(42), 10, zg::detail::seal_clock_ms() - 120000),
       "unknown_key"},
      {"stale, forged", flip(sealed_request(to, numbered_order(43), 11, zg::detail::seal_clock_ms() + 120000), 100),
       "stale"},
      {"replayed, forged", flip(good, 100), "forged"},
  };
  for (auto const& a : attacks) {
    CAPTURE(a.name);
    zg::detail::answer_key k;
    zmq::message_t plain;
    auto const verdict = ours.open(a.c.frame, k, plain);
    std::string const cpp = verdict ? std::string(zg::detail::to_string(*verdict)) : "ok";
    CHECK(cpp == a.expected);
    REQUIRE(attacker.send(zmq::const_buffer(nullptr, 0), zmq::send_flags::sndmore));
    REQUIRE(attacker.send(zmq::const_buffer(a.c.frame.data(), a.c.frame.size())));
    std::vector<zmq::message_t> answer;
    REQUIRE(zmq::recv_multipart(attacker, std::back_inserter(answer)));
    REQUIRE(answer.size() == 2);
    auto const bytes = zg::detail::bytes_of(answer[1]);
    std::string python;
    if (auto const r = zg::decode<zg::refusal>(bytes)) {
      python = r->field.str().starts_with("sealed: ") ? r->field.str().substr(8) : "refused: " + r->field.str();
    } else {
      std::vector<std::uint8_t> opened(bytes.size() >= zg::detail::sealed_answer_overhead
                                           ? bytes.size() - zg::detail::sealed_answer_overhead
                                           : 0);
      auto const why = zg::detail::open_answer(bytes, a.c.answer, opened.data());
      auto const ack = why ? std::nullopt : std::optional(zg::decode<order_ack>(std::span<std::uint8_t const>(opened)));
      python = why ? "answer " + std::string(zg::detail::to_string(*why))
               : (ack && ack->ok()) ? "ok"
                                    : "answer does not decode";
    }
    CHECK(python == cpp);
  }
  // A sealed request that opens but does not decode: the Python service's
  // refusal (our decoder's reason) is sealed to it.
  {
    auto const v2 = sealed_request(to, order_v2{41}, 9);
    REQUIRE(attacker.send(zmq::const_buffer(nullptr, 0), zmq::send_flags::sndmore));
    REQUIRE(attacker.send(zmq::const_buffer(v2.frame.data(), v2.frame.size())));
    std::vector<zmq::message_t> answer;
    REQUIRE(zmq::recv_multipart(attacker, std::back_inserter(answer)));
    REQUIRE(answer.size() == 2);
    auto const bytes = zg::detail::bytes_of(answer[1]);
    REQUIRE(bytes.size() > zg::detail::sealed_answer_overhead);
    CHECK_FALSE(zg::decode<zg::refusal>(bytes));  // not in clear
    std::vector<std::uint8_t> opened(bytes.size() - zg::detail::sealed_answer_overhead);
    REQUIRE_FALSE(zg::detail::open_answer(bytes, v2.answer, opened.data()));
    auto const r = zg::decode<zg::refusal>(std::span<std::uint8_t const>(opened));
    REQUIRE(r);
    CHECK(r->reason == std::uint8_t(zg::decode_reason::wrong_version));
  }

  // It keeps serving; order 999 ends the peer.
  auto last = client.call(numbered_order(999), 3);
  REQUIRE_MESSAGE(last.ok(), last.reason());
  CHECK(last->note.view() == "py sealed 999");
  auto [rc, out] = python_peer.get();
  CHECK(rc == 0);
  CHECK(out == "served " + std::to_string(4 + 4 + attacks.size() + 1 + 1) + "\n");
}

// --- sealed feeds (docs/wire-format.md, "Sealed feeds") with the module's
// sealed_feed.py: tests/python/sealed_feed_vector.py, sealed_feed_peer.py.

namespace {

using feed_limits = zg::limits<zg::send_hwm<10000>, zg::recv_hwm<10000>, zg::drop_when_full,
                               zg::max_message_size<1024>, zg::linger_ms<0>, zg::send_timeout_ms<100>,
                               zg::recv_timeout_ms<100>, zg::handshake_timeout_ms<2000>>;
using feed_topic = zg::topic<"test.tick", tick>;
using feed_policy = zg::sealed<zg::announce_ms<50>, zg::pad_to<16>, zg::max_members<8>>;
using sealed_feed_pub = zg::socket<test_domain, zg::ipc, zg::pub, zg::null_mechanism, feed_limits, feed_topic,
                                   zg::signing<zg::ed25519>, feed_policy>;
using sealed_feed_sub = zg::socket<test_domain, zg::ipc, zg::sub, zg::null_mechanism, feed_limits, feed_topic,
                                   zg::signing<zg::ed25519>, feed_policy>;

std::string feed_peer(std::string const& args) { return python_script_with_module("sealed_feed_peer.py " + args); }

// An Ed25519 publisher key from known seed bytes (the Python peer is given them in hex).
struct publisher_material {
  std::array<std::uint8_t, 32> seed = [] {
    std::array<std::uint8_t, 32> s{};
    randombytes_buf(s.data(), s.size());
    return s;
  }();
  zg::signing_key<zg::ed25519> key = zg::signing_key<zg::ed25519>::from_seed(seed);
  std::string verify_hex() const { return to_hex(std::span<std::uint8_t const>(key.verify_part().data(), 32)); }
  zg::verify_keys<zg::ed25519> verify_keys() const {
    zg::verify_keys<zg::ed25519> k;
    k.add(key.verify_part());
    return k;
  }
};

// A C++ sealed publisher (ipc) in a thread of its own, sending tick{"T", i, i}
// every 5 ms until destroyed (at most 20000), a new epoch every
// `rotate_every` ticks (0: never).
struct cpp_feed {
  std::string endpoint;
  std::jthread thread;
  cpp_feed(zg::context<test_domain>& ctx, temp_dir const& dir, zg::signing_key<zg::ed25519> const& key,
           zg::sealing_public_key const& member, std::uint32_t rotate_every) {
    std::promise<std::string> bound;
    auto fut = bound.get_future();
    auto const path = "ipc://" + (dir.path / "cpp-feed").string();
    thread = std::jthread([&ctx, &key, member, rotate_every, path, &bound](std::stop_token stop) {
      sealed_feed_pub pub(ctx, key, zg::sealing_members{member});
      bound.set_value(pub.bind(path).address);
      for (std::uint32_t i = 1; i <= 20000 && !stop.stop_requested(); ++i) {
        if (rotate_every && i % rotate_every == 0) pub.rotate_epoch();
        (void)pub.send(tick{"T", -std::int64_t(i), i});
        std::this_thread::sleep_for(5ms);
      }
    });
    endpoint = fut.get();
  }
};

// The interpreter checked, the described schemas, a context capturing its
// events, and the publisher's Ed25519 key.
struct feed_session {
  temp_dir dir;
  std::filesystem::path schemas;
  captured_events seen;
  zg::context<test_domain> ctx{seen.sink()};
  publisher_material pm;
  feed_session() {
    require_python();
    schemas = describe_into(dir);
  }
};

std::vector<std::string> seal_event_names(captured_events const& seen) {
  std::lock_guard lock(*seen.mu);
  std::vector<std::string> names;
  for (auto const& e : *seen.events)
    if (e.name.starts_with("seal.")) names.push_back(e.name);
  return names;
}

std::vector<std::string> lines_of(std::string const& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// What a sealed C++ subscriber does with a verified payload (the receive
// stage, socket/stage_seal.hpp), as sealed_feed_peer.py's judged() says it.
std::string cpp_judged(zg::detail::feed_opener& opener, std::vector<std::uint8_t> const& p, zg::key_id const& from) {
  using namespace zg::detail;
  if (!p.empty() && p[0] == key_announcement_kind) {
    auto const r = opener.take_announcement(p, from);
    if (r.drop) return r.quiet ? "quiet" : std::string(to_string(*r.drop));
    return r.installed ? "taken" : "repeat";
  }
  if (p.empty() || p[0] != sealed_feed_kind) return "not_sealed";
  zmq::message_t plain;
  std::size_t size = 0;
  if (auto why = opener.open(p, from, plain, size)) {
    if (*why == seal_drop::unknown_epoch && !opener.first_unknown(from, feed_opener::epoch_named(p))) return "quiet";
    return std::string(to_string(*why));
  }
  return "ok " + std::string(static_cast<char const*>(plain.data()), size);
}

}  // namespace

TEST_CASE("sealed feeds with Python: PyNaCl makes the wire format's sealed feed vector, byte for byte the C++ library's") {
  require_python();
  std::string const doc_path = std::string(ZGUARD_SOURCE_DIR) + "/docs/wire-format.md";
  auto [rc, out] = run_command(python_script_with_module("sealed_feed_vector.py " + doc_path));
  CHECK(rc == 0);
  // The same inputs through the library (docs/wire-format.md, "Sealed feeds", "Test vector").
  std::array<std::uint8_t, 32> member_secret{}, ephemeral{}, epoch_key{};
  member_secret.fill(0x11);
  ephemeral.fill(0x22);
  epoch_key.fill(0x33);
  auto const member = zg::sealing_key::from_bytes(member_secret);
  zg::key_id publisher{};
  for (std::uint8_t i = 0; i < 8; ++i) publisher.bytes[i] = i;
  constexpr std::uint64_t epoch = 1767225600000000ull;
  auto const announcement = zg::detail::build_announcement(
      epoch, epoch_key.data(), ephemeral.data(), zg::sealing_members{member.public_part()}, "test.tick", publisher);
  std::string_view const text = "hello, sealed feed";
  std::vector<std::uint8_t> message(zg::detail::sealed_feed_size(text.size(), 16));
  std::memcpy(message.data() + zg::detail::sealed_feed_header, text.data(), text.size());
  zg::detail::seal_feed_message(message.data(), text.size(), epoch_key.data(), epoch, 1, 16, "test.tick", publisher);
  auto const public_hex = to_hex(std::span<std::uint8_t const>(member.public_part().data(), 32));
  CHECK(announcement.size() == 44 + 56);
  CHECK(message.size() == 22 + 32 + 16);
  CHECK(out == "public " + public_hex + "\nmember_id " + member.id().hex() + "\nannouncement " +
                   to_hex(announcement) + "\nmessage " + to_hex(message) + "\nvector ok\n");
  // The document shows exactly these bytes.
  auto const doc = read_file(doc_path);
  for (auto const& hex : {public_hex, member.id().hex(), to_hex(announcement), to_hex(message)})
    CHECK_MESSAGE(doc.find("`" + hex + "`") != std::string::npos, hex);
}

TEST_CASE("sealed feeds with Python: a Python Subscription with a sealing key reads a C++ sealed publisher across epochs") {
  feed_session py;
  sealing_material m;
  cpp_feed feed(py.ctx, py.dir, py.pm.key, m.key.public_part(), 40);
  auto [rc, out] = run_command(feed_peer("subscribe " + feed.endpoint + " " + py.schemas.string() + " " +
                                         py.pm.verify_hex() + " " + to_hex(m.secret) + " 60"));
  CHECK(rc == 0);
  auto const lines = lines_of(out);
  REQUIRE(lines.size() == 4);
  CHECK(lines[0] == "ticks 60 consecutive");
  CHECK(lines[1] == "epochs many");  // 60 ticks, a new epoch every 40: it read across a change
  // A late joiner may see messages before the next announcement: unknown_epoch, nothing else.
  CHECK((lines[2] == "refused before the first: none" || lines[2] == "refused before the first: unknown_epoch"));
  CHECK(lines[3] == "refused after the first 0");
}

TEST_CASE("sealed feeds with Python: a Python subscriber whose key is not a member reads nothing, not_a_member once") {
  feed_session py;
  sealing_material member, outsider;
  cpp_feed feed(py.ctx, py.dir, py.pm.key, member.key.public_part(), 0);
  auto [rc, out] = run_command(feed_peer("outsider " + feed.endpoint + " " + py.schemas.string() + " " +
                                         py.pm.verify_hex() + " " + to_hex(outsider.secret) + " 1500"));
  CHECK(rc == 0);
  // Announcements every 50 ms, all of one epoch: refused once; every message unknown_epoch.
  CHECK(out == "opened 0\nnot_a_member 1\nunknown_epoch some\nother refusals 0\n");
}

TEST_CASE("sealed feeds with Python: a Python FeedPublisher to a C++ sealed subscriber, crafted payloads refused alike") {
  feed_session py;
  sealing_material m;
  auto const other = zg::sealing_key::generate();
  auto const endpoint = "ipc://" + (py.dir.path / "py-feed").string();
  auto const endpoint_file = py.dir.path / "py-feed.endpoint";
  auto python_peer = std::async(std::launch::async, [&] {
    return run_command(feed_peer("publish " + endpoint + " " + endpoint_file.string() + " " +
                                 py.schemas.string() + " " + to_hex(py.pm.seed) + " " + to_hex(m.secret) + " " +
                                 to_hex(std::span<std::uint8_t const>(other.public_part().data(), 32)) + " 20"));
  });
  sealed_feed_sub sub(py.ctx, py.pm.verify_keys(), m.key);
  sub.connect(endpoint_from(endpoint_file));
  std::vector<std::string> got;
  auto const deadline = std::chrono::steady_clock::now() + 20s;
  while (std::chrono::steady_clock::now() < deadline && (got.empty() || got.back() != "OLD 105"))
    if (auto t = sub.receive<tick>()) {
      CHECK(t->origin.key == py.pm.key.id());
      got.push_back(std::string(t->value.symbol.view()) + " " + std::to_string(t->value.seq));
    }
  auto [rc, out] = python_peer.get();
  CHECK(rc == 0);
  std::vector<std::string> expected_ticks{"X 102"};
  for (int i = 1; i <= 20; ++i) expected_ticks.push_back("PY " + std::to_string(i));
  expected_ticks.push_back("OLD 105");
  CHECK(got == expected_ticks);
  // The module's verdict on each payload, in the order sent.
  CHECK(out == "early unknown_epoch\n"
               "unsealed not_sealed\n"
               "empty not_sealed\n"
               "announcement_cut malformed\n"
               "announcement_long malformed\n"
               "announcement_format_2 malformed\n"
               "not_a_member not_a_member\n"
               "not_a_member_again quiet\n"
               "announcement_forged forged\n"
               "announcement_forged_epoch forged\n"
               "weak_zero weak_key\n"
               "weak_one weak_key\n"
               "announcement taken\n"
               "announcement_again repeat\n"
               "forged_tag forged\n"
               "forged_body forged\n"
               "forged_counter forged\n"
               "format_1 malformed\n"
               "cut malformed\n"
               "pad_0 malformed\n"
               "pad_not_a_divisor malformed\n"
               "unknown_epoch unknown_epoch\n"
               "other_topic forged\n"
               "other_publisher forged\n"
               "bad_padding malformed\n"
               "good ok\n"
               "ticks ok:20 taken:1\n"  // the new epoch's announcement went out before its first tick
               "previous_epoch ok\n"
               "announcement_3 taken\n"
               "two_epochs_back unknown_epoch\n"
               "published 20\n");
  // The C++ subscriber refused the same payloads for the same reasons, in
  // the same order (what the module calls quiet it does not log).
  std::vector<std::string> python_refused;
  for (auto const& line : lines_of(out)) {
    auto const verdict = line.substr(line.find(' ') + 1);
    if (line.starts_with("ticks ") || line.starts_with("published ")) continue;
    if (verdict != "ok" && verdict != "taken" && verdict != "repeat" && verdict != "quiet")
      python_refused.push_back("seal." + verdict);
  }
  INFO(py.seen);
  // The last refusals came after the last tick: read on until they are in (bounded).
  CHECK(eventually([&] {
    CHECK_FALSE(sub.receive<tick>());
    return seal_event_names(py.seen).size() >= python_refused.size();
  }));
  CHECK(seal_event_names(py.seen) == python_refused);
  CHECK(py.seen.named("verify.replay").empty());
}

TEST_CASE("sealed feeds with Python: the C++ feed_opener and the module's FeedOpener judge the same crafted payloads alike") {
  require_python();
  temp_dir dir;
  sealing_material m;
  auto const other = zg::sealing_key::generate();
  auto const publisher = zg::signing_key<zg::ed25519>::generate().id();
  using zg::detail::feed_sealer;
  feed_sealer sealer{zg::sealing_members{m.key.public_part()}, "test.tick", publisher, 600000, 1000, 16, 8};
  feed_sealer outsiders{zg::sealing_members{other.public_part()}, "test.tick", publisher, 600000, 1000, 1, 8};
  auto seal = [](feed_sealer& s, std::string_view text) {
    std::vector<std::uint8_t> out(s.sealed_size(text.size()));
    s.seal(out.data(), text.size(), [&](std::uint8_t* at) { std::memcpy(at, text.data(), text.size()); });
    return out;
  };
  auto bytes = [](std::span<std::uint8_t const> s) { return std::vector<std::uint8_t>(s.begin(), s.end()); };
  auto changed = [](std::vector<std::uint8_t> v, std::size_t at, std::uint8_t x = 0x01) {
    v[at] ^= x;
    return v;
  };
  auto cut = [](std::vector<std::uint8_t> v, std::size_t n) {
    v.resize(n);
    return v;
  };
  auto const first = bytes(sealer.announcement());
  auto const one = seal(sealer, "one"), held = seal(sealer, "held"), held_longer = seal(sealer, "held longer");
  std::vector<std::uint8_t> other_epoch = one;
  zg::detail::put_u64(other_epoch.data() + 4, sealer.epoch() + 1);
  std::vector<std::uint8_t> pad_zero = one;
  zg::detail::put_u16(pad_zero.data() + 2, 0);
  std::vector<std::pair<std::string, std::vector<std::uint8_t>>> cases{
      {"unknown_epoch", one},  // no announcement yet
      {"taken", first},
      {"ok one", one},
      {"repeat", first},
      {"forged", changed(one, one.size() - 1)},
      {"forged", changed(one, 14)},  // the counter
      {"unknown_epoch", other_epoch},
      {"malformed", pad_zero},
      {"malformed", changed(one, 1, 0x03)},  // format 2
      {"malformed", cut(one, 36)},
      {"malformed", cut(first, first.size() - 1)},
      {"not_sealed", {}},
      {"not_sealed", {'h', 'i'}},
      {"not_a_member", bytes(outsiders.announcement())},
      {"quiet", bytes(outsiders.announcement())},
  };
  sealer.rotate();
  auto const second = bytes(sealer.announcement());
  auto weak = second;
  std::fill(weak.begin() + 10, weak.begin() + 42, std::uint8_t(0));
  cases.push_back({"weak_key", weak});
  cases.push_back({"forged", changed(second, second.size() - 1)});
  cases.push_back({"taken", second});
  cases.push_back({"ok two", seal(sealer, "two")});
  cases.push_back({"ok held", held});  // the epoch before: still held
  sealer.rotate();
  cases.push_back({"taken", bytes(sealer.announcement())});
  cases.push_back({"unknown_epoch", held_longer});  // two epochs back: wiped
  cases.push_back({"ok " + std::string(300, 'p'), seal(sealer, std::string(300, 'p'))});

  auto const frames_file = dir.path / "frames.hex";
  {
    std::ofstream f(frames_file);
    for (auto const& [_, p] : cases) f << (p.empty() ? std::string("-") : to_hex(p)) << "\n";
  }
  zg::detail::feed_opener ours{m.key, "test.tick"};
  std::string cpp;
  for (auto const& [expected, p] : cases) {
    auto const verdict = cpp_judged(ours, p, publisher);
    CHECK(verdict == expected);
    cpp += verdict + "\n";
  }
  auto [rc, out] = run_command(feed_peer("verdicts " + frames_file.string() + " " + to_hex(m.secret) + " " +
                                         publisher.hex() + " test.tick"));
  CHECK(rc == 0);
  CHECK(out == cpp);
}
