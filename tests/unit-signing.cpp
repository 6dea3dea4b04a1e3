// Signed envelopes (G7, G12): the documented vectors, every drop reason of
// the verifier, key rotation and files, and signed sockets over real
// transports with an attacker injecting on the subscriber's endpoints, a
// restarted publisher, and PyNaCl peers written from docs/wire-format.md.
#include "schemas.hpp"
#include "support.hpp"
#include "support/slow_joiner.hpp"

#include <sys/stat.h>

#include <atomic>
#include <cctype>
#include <cstring>
#include <fstream>
#include <numeric>
#include <sstream>
#include <future>
#include <stop_token>
#include <thread>

using namespace zguard_test;
using namespace std::chrono_literals;

namespace {

using clock_type = std::chrono::system_clock;
constexpr std::string_view tick_topic_name = "test.tick";
using tick_topic = zg::topic<"test.tick", tick>;
using signed_limits = zg::limits<zg::send_hwm<10000>, zg::recv_hwm<10000>, zg::drop_when_full,
                                 zg::max_message_size<512>, zg::linger_ms<0>, zg::send_timeout_ms<100>,
                                 zg::recv_timeout_ms<200>, zg::handshake_timeout_ms<2000>>;


std::vector<std::uint8_t> tick_bytes(std::string symbol, std::int64_t price, std::uint32_t seq) {
  return zg::encode(tick{zg::bounded_string<8>(symbol), price, seq});
}

// The frames of one sealed message, as a receiver gets them: topic, then
// header || payload || signature.
template <class A>
std::vector<zmq::message_t> seal_frames(zg::signer<A>& s, std::string_view topic, std::span<std::uint8_t const> payload,
                                        clock_type::time_point at = clock_type::now(),
                                        std::string_view topic_frame = tick_topic_name) {
  std::vector<zmq::message_t> f;
  f.emplace_back(topic_frame.data(), topic_frame.size());
  f.push_back(s.seal(topic, payload, at));
  return f;
}
std::uint8_t* bytes(zmq::message_t& m) { return static_cast<std::uint8_t*>(m.data()); }
// The topic frame and the first n bytes of the sealed frame.
std::vector<zmq::message_t> cut(std::vector<zmq::message_t> const& m, std::size_t n) {
  std::vector<zmq::message_t> out;
  out.emplace_back(m[0].data(), m[0].size());
  out.emplace_back(m[1].data(), n);
  return out;
}

std::vector<zmq::message_t> copy_frames(std::vector<zmq::message_t> const& in) {
  std::vector<zmq::message_t> out;
  for (auto const& m : in) out.emplace_back(m.data(), m.size());
  return out;
}

template <class A, class V>
std::optional<zg::drop_reason> check(V& v, std::vector<zmq::message_t> const& frames,
                                     clock_type::time_point now = clock_type::now()) {
  auto env = zg::unverified_envelope::parse(frames, true);
  if (!env) return zg::drop_reason::malformed;
  zg::verification const r = v.verify(*env, tick_topic_name, now);
  if (r) return std::nullopt;
  CHECK(r.payload().empty());  // a dropped message hands out nothing
  return r.reason();
}

template <class A>
struct keys_for;
template <>
struct keys_for<zg::ed25519> {
  static auto make() { return zg::signing_key<zg::ed25519>::generate(); }
  static auto verifying(zg::signing_key<zg::ed25519> const& k) { return k.verify_part(); }
};
template <>
struct keys_for<zg::blake2b_mac> {
  static auto make() { return zg::signing_key<zg::blake2b_mac>::generate(); }
  static auto verifying(zg::signing_key<zg::blake2b_mac> const& k) { return k; }
};

}  // namespace

// The documented vectors (docs/wire-format.md, "Signed envelope"): topic
// frame, then the sealed frame.
constexpr std::string_view vector_ed25519 =
    "0203e572260c237a6f920807060504030201010000000000000000401e18240a060009746573742e7469636b"
    "0109746573742e7469636b010006455552555344ffffffffffffffff03000000"
    "3e51e0b24c0e003b1a874a022484206d45d53efe55410c42b38a2af628580f15606aa4633db4decad8eac4f657d0ca13479efaf7368b5d77ed21148fdffd0101";
constexpr std::string_view vector_blake2b =
    "0202e46d4678166b82010807060504030201010000000000000000401e18240a060009746573742e7469636b"
    "0109746573742e7469636b010006455552555344ffffffffffffffff03000000"
    "f407177c05c33f06a310197b8397965736dff627a5432adf0efbba05c99ebbaf";

TEST_CASE("signed envelope: the documented test vectors are what we seal, and verify") {
  std::array<std::uint8_t, 32> seed{}, mac{};
  for (int i = 0; i < 32; ++i) {
    seed[i] = std::uint8_t(i);
    mac[i] = std::uint8_t(32 + i);
  }
  auto ed = zg::signing_key<zg::ed25519>::from_seed(seed);
  CHECK(to_hex(std::span(ed.verify_part().data(), 32)) == "03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8");
  auto blake = zg::signing_key<zg::blake2b_mac>::from_bytes(mac);
  auto const when = clock_type::time_point(std::chrono::microseconds(1700000000000000));
  std::ifstream doc_file(std::filesystem::path(ZGUARD_SOURCE_DIR) / "docs" / "wire-format.md");
  std::stringstream doc;
  doc << doc_file.rdbuf();
  std::string doc_hex;  // the document without white space: a vector may span lines
  for (char c : doc.str())
    if (!std::isspace(static_cast<unsigned char>(c))) doc_hex += c;

  auto run = [&](auto alg, auto const& signing, auto const& verifying, std::string_view sealed_hex) {
    using A = decltype(alg);
    // Our signer makes exactly these bytes, and the document shows them.
    zg::signer<A> s(signing, zg::detail::fixed_epoch{0x0102030405060708});
    auto tick_payload = zg::encode(tick{"EURUSD", -1, 3});
    CHECK(to_hex(zg::detail::bytes_of(s.seal(tick_topic_name, tick_payload, when))) == sealed_hex);
    CHECK_MESSAGE(doc_hex.find(sealed_hex) != std::string::npos, "the vector is not in docs/wire-format.md");
    std::vector<zmq::message_t> frames;
    frames.emplace_back(tick_topic_name.data(), tick_topic_name.size());
    auto b = from_hex(sealed_hex);
    frames.emplace_back(b.data(), b.size());
    zg::verify_keys<A> keys;
    keys.add(verifying);
    zg::verifier<A, 30000, 1024> v(keys);
    auto env = zg::unverified_envelope::parse(frames, true);
    REQUIRE(env);
    auto r = v.verify(*env, tick_topic_name, when);
    REQUIRE(r.ok());
    CHECK(r.origin().epoch == 0x0102030405060708u);
    CHECK(r.origin().sequence == 1);
    CHECK(r.origin().timestamp_us == 1700000000000000u);
    CHECK(r.origin().key == signing.id());
    auto decoded = zg::decode<tick>(r.payload());
    REQUIRE(decoded);
    CHECK(*decoded == tick{"EURUSD", -1, 3});
    // A minute later the same bytes are stale: the vectors are not a replay kit.
    zg::verifier<A, 30000, 1024> later(keys);
    CHECK(later.verify(*env, tick_topic_name, when + 1min).reason() == zg::drop_reason::stale);
  };
  run(zg::ed25519{}, ed, ed.verify_part(), vector_ed25519);
  run(zg::blake2b_mac{}, blake, blake, vector_blake2b);

  // The PyNaCl peer, written from the document, prints the same frames.
  auto [rc, out] = run_command(python_script("signed_peer.py vectors"));
  REQUIRE(rc == 0);
  CHECK(out == "746573742e7469636b\n" + std::string(vector_ed25519) + "\n746573742e7469636b\n" +
                   std::string(vector_blake2b) + "\n");
}

TEST_CASE("signer: one frame, header || payload || signature, and a signature libsodium verifies on its own") {
  auto key = zg::signing_key<zg::ed25519>::generate();
  zg::signer<zg::ed25519> s(key);
  auto payload = tick_bytes("X", 1, 1);
  auto const at = clock_type::now();
  auto first = s.seal("test.tick", payload, at);
  auto second = s.seal("test.tick", payload, at);
  auto const h = zg::detail::bytes_of(first);
  REQUIRE(h.size() == 35 + 9 + payload.size() + 64);
  CHECK(h.size() == zg::signer<zg::ed25519>::sealed_size("test.tick", payload.size()));
  CHECK(h[0] == 2);
  CHECK(h[1] == 3);
  auto const id = key.id();
  CHECK(std::equal(id.bytes.begin(), id.bytes.end(), h.begin() + 2));
  CHECK(zg::detail::get_u64(h.data() + 10) == s.epoch());
  CHECK(zg::detail::get_u64(h.data() + 18) == 1);
  CHECK(zg::detail::get_u64(zg::detail::bytes_of(second).data() + 18) == 2);
  CHECK(zg::detail::get_u64(h.data() + 26) == zg::detail::micros_since_epoch(at));
  CHECK(h[34] == 9);
  CHECK(std::string_view(reinterpret_cast<char const*>(h.data() + 35), 9) == "test.tick");
  CHECK(std::equal(payload.begin(), payload.end(), h.begin() + 44));
  std::vector<std::uint8_t> signed_bytes;
  for (auto part : {std::span<std::uint8_t const>(reinterpret_cast<std::uint8_t const*>(zg::envelope_tag.data()), 19),
                    h.first(h.size() - 64)})
    for (auto b : part) signed_bytes.push_back(b);
  CHECK(std::string_view(reinterpret_cast<char const*>(signed_bytes.data()), 18) == "zguard.envelope.v2");
  CHECK(signed_bytes[18] == 0);  // the tag's terminating zero is signed
  // Ed25519 signs the digest tag and BLAKE2b-512 of the signed bytes, made
  // here with libsodium's one-shot call.
  std::array<std::uint8_t, 26 + 64> digest{};
  std::memcpy(digest.data(), "zguard.ed25519.blake2b512", 26);  // its zero too
  crypto_generichash(digest.data() + 26, 64, signed_bytes.data(), signed_bytes.size(), nullptr, 0);
  CHECK(crypto_sign_verify_detached(h.data() + h.size() - 64, digest.data(), digest.size(), key.verify_part().data()) == 0);
  CHECK(crypto_sign_verify_detached(h.data() + h.size() - 64, signed_bytes.data(), signed_bytes.size(),
                                    key.verify_part().data()) != 0);
  // seal_with writes the payload in place: the same bytes as seal.
  zg::signer<zg::ed25519> fixed(key, zg::detail::fixed_epoch{7}), again(key, zg::detail::fixed_epoch{7});
  auto copied = fixed.seal("test.tick", payload, at);
  auto in_place = again.seal_with(
      "test.tick", payload.size(), [&](std::uint8_t* to) { std::copy(payload.begin(), payload.end(), to); }, at);
  CHECK(to_hex(zg::detail::bytes_of(copied)) == to_hex(zg::detail::bytes_of(in_place)));
  // Two publisher runs never share an epoch (random, 64 bits).
  CHECK(zg::signer<zg::ed25519>(key).epoch() != s.epoch());
  CHECK_THROWS_AS(s.seal(std::string(256, 't'), payload), std::length_error);
}

TEST_CASE("verifier: an Ed25519 signature over the whole message, not its digest, is refused") {
  // The attack: a peer (or an older build) signs tag || header || payload
  // with pure Ed25519. Under algorithm byte 3 that signature does not
  // verify; under byte 1 the frame is malformed before any signature check.
  auto key = zg::signing_key<zg::ed25519>::generate();
  zg::verify_keys<zg::ed25519> keys;
  keys.add(key.verify_part());
  zg::verifier<zg::ed25519, 30000, 1024> v(keys);
  zg::signer<zg::ed25519> s(key);
  auto payload = tick_bytes("X", 1, 1);
  for (auto [alg, reason] : {std::pair{std::uint8_t(3), zg::drop_reason::bad_signature},
                             std::pair{std::uint8_t(1), zg::drop_reason::malformed}}) {
    auto frames = seal_frames(s, "test.tick", payload);
    auto* sealed = bytes(frames[1]);
    auto const n = frames[1].size();
    sealed[1] = alg;
    std::vector<std::uint8_t> whole(zg::envelope_tag.begin(), zg::envelope_tag.end());
    whole.insert(whole.end(), sealed, sealed + n - 64);
    key.sign(whole, sealed + n - 64);
    CHECK(crypto_sign_verify_detached(sealed + n - 64, whole.data(), whole.size(), key.verify_part().data()) == 0);
    CHECK(check<zg::ed25519>(v, frames) == reason);
  }
  // Look-alikes of the digest form: the digest without its tag, and the
  // digest of the bytes without the envelope tag. Neither verifies.
  for (bool digest_tag : {false, true}) {
    auto frames = seal_frames(s, "test.tick", payload);
    auto* sealed = bytes(frames[1]);
    auto const n = frames[1].size();
    std::vector<std::uint8_t> m(digest_tag ? 26 : 0, 0);
    if (digest_tag) std::memcpy(m.data(), "zguard.ed25519.blake2b512", 26);
    m.resize(m.size() + 64);
    if (digest_tag)  // over header || payload alone
      crypto_generichash(m.data() + 26, 64, sealed, n - 64, nullptr, 0);
    else {  // over tag || header || payload, as specified, but signed untagged
      std::vector<std::uint8_t> whole(zg::envelope_tag.begin(), zg::envelope_tag.end());
      whole.insert(whole.end(), sealed, sealed + n - 64);
      crypto_generichash(m.data(), 64, whole.data(), whole.size(), nullptr, 0);
    }
    key.sign(m, sealed + n - 64);
    CHECK(check<zg::ed25519>(v, frames) == zg::drop_reason::bad_signature);
  }
  CHECK(check<zg::ed25519>(v, seal_frames(s, "test.tick", payload)) == std::nullopt);  // the digest form verifies
}

TEST_CASE_TEMPLATE("verifier: every drop reason, and what is accepted", A, zg::ed25519, zg::blake2b_mac) {
  auto key = keys_for<A>::make();
  auto outsider = keys_for<A>::make();
  zg::verify_keys<A> keys;
  keys.add(keys_for<A>::verifying(key));
  zg::verifier<A, 30000, 1024> v(keys);
  zg::signer<A> pub(key), attacker(outsider);
  auto payload = tick_bytes("EUR", 10, 1);

  SUBCASE("a good message once, then its replay") {
    auto m = seal_frames(pub, "test.tick", payload);
    CHECK(check<A>(v, m) == std::nullopt);
    CHECK(check<A>(v, m) == zg::drop_reason::replay);
  }
  SUBCASE("tampered header, payload or signature") {
    auto m = seal_frames(pub, "test.tick", payload);
    auto const n = m[1].size();
    for (std::size_t at : {std::size_t(20), 35 + 9 + std::size_t(3), n - 3}) {  // sequence, payload, signature
      auto t = copy_frames(m);
      bytes(t[1])[at] ^= 0x01;
      CHECK(check<A>(v, t) == zg::drop_reason::bad_signature);
    }
    CHECK(check<A>(v, m) == std::nullopt);  // the forgeries left no trace in the replay state
  }
  SUBCASE("an outsider's key: unknown; an outsider claiming our key id: bad signature") {
    auto m = seal_frames(attacker, "test.tick", payload);
    CHECK(check<A>(v, m) == zg::drop_reason::unknown_key);
    auto id = key.id();
    std::copy(id.bytes.begin(), id.bytes.end(), static_cast<std::uint8_t*>(m[1].data()) + 2);
    CHECK(check<A>(v, m) == zg::drop_reason::bad_signature);
  }
  SUBCASE("moved to another topic") {
    // Signed for "alerts", sent under the subscribed topic frame.
    CHECK(check<A>(v, seal_frames(pub, "alerts", payload)) == zg::drop_reason::re_topiced);
    // Signed for the topic, but the topic frame (what SUB filtered on) differs.
    CHECK(check<A>(v, seal_frames(pub, "test.tick", payload, clock_type::now(), "test.tick.eu")) ==
          zg::drop_reason::re_topiced);
  }
  SUBCASE("stale: too old or from the future") {
    auto const now = clock_type::now();
    CHECK(check<A>(v, seal_frames(pub, "test.tick", payload, now - 31s), now) == zg::drop_reason::stale);
    CHECK(check<A>(v, seal_frames(pub, "test.tick", payload, now + 31s), now) == zg::drop_reason::stale);
    CHECK(check<A>(v, seal_frames(pub, "test.tick", payload, now - 29s), now) == std::nullopt);
  }
  SUBCASE("malformed: frame count, version, algorithm") {
    auto m = seal_frames(pub, "test.tick", payload);
    std::vector<zmq::message_t> topic_only;
    topic_only.emplace_back(m[0].data(), m[0].size());
    CHECK(check<A>(v, topic_only) == zg::drop_reason::malformed);
    auto three = copy_frames(m);
    three.emplace_back("x", 1);
    CHECK(check<A>(v, three) == zg::drop_reason::malformed);
    // Version 1's frames (topic, header, payload, signature), even with a
    // valid v1 signature, and any version byte but 2.
    auto const n = m[1].size(), header = std::size_t(35 + 9);
    std::vector<zmq::message_t> v1;
    v1.emplace_back(m[0].data(), m[0].size());
    v1.emplace_back(m[1].data(), header);
    bytes(v1[1])[0] = 1;
    v1.emplace_back(bytes(m[1]) + header, n - header - A::signature_size);
    v1.emplace_back(bytes(m[1]) + n - A::signature_size, A::signature_size);
    CHECK(check<A>(v, v1) == zg::drop_reason::malformed);
    for (int version : {0, 1, 3, 0x82, 0xff}) {
      auto t = copy_frames(m);
      bytes(t[1])[0] = std::uint8_t(version);
      CHECK(check<A>(v, t) == zg::drop_reason::malformed);
    }
    // The other algorithm (its signature length differs) and unknown ones.
    for (int alg : {0, 1, A::wire_id == 3 ? 2 : 3, 4, 0xff}) {
      auto t = copy_frames(m);
      bytes(t[1])[1] = std::uint8_t(alg);
      CHECK(check<A>(v, t) == zg::drop_reason::malformed);
    }
    CHECK(check<A>(v, m) == std::nullopt);  // none of it touched the replay state
  }
  SUBCASE("lengths: every cut of the sealed frame, topic lengths past its end, an empty payload") {
    auto m = seal_frames(pub, "test.tick", payload);
    auto const n = m[1].size(), header = std::size_t(35 + 9);
    // Too short for header and signature: malformed, never read past the
    // end (the fuzzer and sanitizers hold that too). Longer cuts shift the
    // signature into the payload: they parse, and fail the signature.
    for (std::size_t len = 0; len < n; ++len)
      CHECK(check<A>(v, cut(m, len)) ==
            (len < header + A::signature_size ? zg::drop_reason::malformed : zg::drop_reason::bad_signature));
    // A topic length running past the frame (the signature included).
    for (int topic_size : {255, int(n - 35 - A::signature_size + 1), int(n - 35)}) {
      auto t = copy_frames(m);
      bytes(t[1])[34] = std::uint8_t(topic_size);
      CHECK(check<A>(v, t) == zg::drop_reason::malformed);
    }
    // One that still fits moves the header's end: not what was signed.
    auto t = copy_frames(m);
    bytes(t[1])[34] = std::uint8_t(n - 35 - A::signature_size);
    CHECK(check<A>(v, t) == zg::drop_reason::bad_signature);
    // An empty payload is a valid envelope (its decoding is another matter).
    auto empty = seal_frames(pub, "test.tick", std::span<std::uint8_t const>{});
    CHECK(empty[1].size() == header + A::signature_size);
    auto env = zg::unverified_envelope::parse(empty, true);
    REQUIRE(env);
    auto r = v.verify(*env, tick_topic_name);
    REQUIRE(r.ok());
    CHECK(r.payload().empty());
    CHECK(check<A>(v, m) == std::nullopt);
  }
  SUBCASE("the replay window: late and reordered within it, nothing older or twice") {
    std::vector<std::vector<zmq::message_t>> run;
    for (int i = 0; i < 2100; ++i) run.push_back(seal_frames(pub, "test.tick", payload));
    CHECK(check<A>(v, run[1999]) == std::nullopt);  // sequence 2000 first
    CHECK(check<A>(v, run[999]) == std::nullopt);                // 1000: 1000 behind, inside, unseen
    CHECK(check<A>(v, run[999]) == zg::drop_reason::replay);     // ... but only once
    CHECK(check<A>(v, run[975]) == zg::drop_reason::replay);     // 976: 1024 behind, outside
    CHECK(check<A>(v, run[1500]) == std::nullopt);  // late, unseen, inside
    CHECK(check<A>(v, run[1500]) == zg::drop_reason::replay);
    CHECK(check<A>(v, run[2099]) == std::nullopt);  // a jump ahead
    CHECK(check<A>(v, run[2050]) == std::nullopt);
    CHECK(check<A>(v, run[1999]) == zg::drop_reason::replay);
  }
  SUBCASE("a restarted publisher (new epoch) is accepted from its first message") {
    for (int i = 0; i < 100; ++i) CHECK(check<A>(v, seal_frames(pub, "test.tick", payload)) == std::nullopt);
    zg::signer<A> restarted(key);
    CHECK(check<A>(v, seal_frames(restarted, "test.tick", payload)) == std::nullopt);
    CHECK(v.epochs_tracked() == 2);
  }
  SUBCASE("rotation: old and new keys both verify until the old one is retired") {
    auto next = keys_for<A>::make();
    zg::signer<A> rotated(next);
    auto const now = clock_type::now();
    CHECK(check<A>(v, seal_frames(rotated, "test.tick", payload), now) == zg::drop_reason::unknown_key);
    keys.add(keys_for<A>::verifying(next));  // the verifier shares the key set
    keys.retire(key.id(), now + 1h);
    CHECK(check<A>(v, seal_frames(pub, "test.tick", payload), now) == std::nullopt);
    CHECK(check<A>(v, seal_frames(rotated, "test.tick", payload), now) == std::nullopt);
    CHECK(check<A>(v, seal_frames(pub, "test.tick", payload, now + 1h), now + 1h) == zg::drop_reason::unknown_key);
    CHECK(check<A>(v, seal_frames(rotated, "test.tick", payload, now + 1h), now + 1h) == std::nullopt);
  }
}

TEST_CASE("verifier: epochs beyond the limit are forgotten oldest first") {
  auto key = zg::signing_key<zg::blake2b_mac>::generate();
  zg::verify_keys<zg::blake2b_mac> keys;
  keys.add(key);
  zg::verifier<zg::blake2b_mac, 30000, 64> v(keys, 4);
  auto payload = tick_bytes("E", 1, 1);
  std::vector<std::vector<zmq::message_t>> firsts;
  for (int i = 0; i < 6; ++i) {
    zg::signer<zg::blake2b_mac> run(key);
    firsts.push_back(seal_frames(run, "test.tick", payload));
    CHECK(check<zg::blake2b_mac>(v, firsts.back()) == std::nullopt);
  }
  CHECK(v.epochs_tracked() == 4);
  CHECK(check<zg::blake2b_mac>(v, firsts[5]) == zg::drop_reason::replay);  // remembered
  // Forgotten runs: within the freshness window their replay is accepted
  // again, which is why freshness bounds how long that can last.
  auto const later = clock_type::now() + 31s;
  CHECK(check<zg::blake2b_mac>(v, firsts[0], later) == zg::drop_reason::stale);
}

TEST_CASE("signing key files: saved, loaded, checked") {
  temp_dir dir;
  auto ed = zg::signing_key<zg::ed25519>::generate();
  zg::save_signing_key(dir.path / "feed.key", ed);
  struct stat st {};
  REQUIRE(::stat((dir.path / "feed.key_secret").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  REQUIRE(::stat((dir.path / "feed.key").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0644);
  zg::verify_key const published = zg::load_verify_key(dir.path / "feed.key");
  CHECK(published == ed.verify_part());
  CHECK(zg::verify_key::from_z85(published.z85()) == published);
  CHECK(published.id() == ed.id());
  auto loaded = zg::load_signing_key<zg::ed25519>(dir.path / "feed.key");
  CHECK(loaded.id() == ed.id());
  CHECK(std::equal(loaded.seed().begin(), loaded.seed().end(), ed.seed().begin()));

  auto mac = zg::signing_key<zg::blake2b_mac>::generate();
  zg::save_signing_key(dir.path / "group.key", mac);
  CHECK_FALSE(std::filesystem::exists(dir.path / "group.key"));  // a MAC key has no public part
  CHECK(zg::load_signing_key<zg::blake2b_mac>(dir.path / "group.key").id() == mac.id());

  // Another algorithm's file, a secret readable by others, a mismatched pair.
  CHECK_THROWS_WITH_AS(zg::load_signing_key<zg::blake2b_mac>(dir.path / "feed.key"),
                       doctest::Contains("is not a blake2b-256 signing key file"), zg::key_error);
  CHECK_THROWS_AS(zg::load_verify_key(dir.path / "group.key_secret"), zg::key_error);
  ::chmod((dir.path / "group.key_secret").c_str(), 0640);
  CHECK_THROWS_WITH_AS(zg::load_signing_key<zg::blake2b_mac>(dir.path / "group.key"),
                       doctest::Contains("group/world accessible"), zg::key_error);
  auto other = zg::signing_key<zg::ed25519>::generate();
  zg::save_signing_key(dir.path / "other.key", other);
  std::filesystem::copy_file(dir.path / "feed.key", dir.path / "mixed.key");
  // mixed.key_secret: other's seed under feed's public key.
  {
    std::ifstream in(dir.path / "other.key_secret");
    std::string text((std::istreambuf_iterator<char>(in)), {});
    auto const pos = text.find(other.verify_part().z85());
    REQUIRE(pos != std::string::npos);
    text.replace(pos, 40, ed.verify_part().z85());
    zg::detail::write_file(dir.path / "mixed.key_secret", text, 0600);
  }
  CHECK_THROWS_WITH_AS(zg::load_signing_key<zg::ed25519>(dir.path / "mixed.key"),
                       doctest::Contains("does not match its public key"), zg::key_error);
}

// --- signed sockets over real transports ---------------------------------------

namespace {

template <class A>
using signed_pub = zg::socket<test_domain, zg::ipc, zg::pub, zg::null_mechanism, signed_limits, tick_topic, zg::signing<A>>;
template <class A>
using signed_sub = zg::socket<test_domain, zg::ipc, zg::sub, zg::null_mechanism, signed_limits, tick_topic, zg::signing<A>>;

std::vector<std::string> recv_frames(zmq::socket_t& s) {
  std::vector<zmq::message_t> msgs;
  if (!zmq::recv_multipart(s, std::back_inserter(msgs))) return {};
  std::vector<std::string> out;
  for (auto const& m : msgs) out.push_back(m.to_string());
  return out;
}
}  // namespace

TEST_CASE_TEMPLATE("signed PUB/SUB over ipc: every message delivered in order while an attacker injects on the same endpoint",
                   A, zg::ed25519, zg::blake2b_mac) {
  captured_events seen;
  temp_dir dir;
  zg::context<test_domain> ctx(seen.sink());
  auto key = keys_for<A>::make();
  auto outsider = keys_for<A>::make();
  zg::verify_keys<A> keys;
  keys.add(keys_for<A>::verifying(key));

  // The subscriber binds; the publisher and the attacker both connect to
  // that one endpoint. A tap (raw SUB) records the feed to replay it later.
  signed_sub<A> subscriber(ctx, keys);
  auto ep = subscriber.bind("ipc://" + (dir.path / "feed.sock").string());
  zmq::context_t raw;
  zmq::socket_t attacker(raw, zmq::socket_type::xpub), tap(raw, zmq::socket_type::sub);
  for (auto* s : {&attacker, &tap}) {
    s->set(zmq::sockopt::linger, 0);
    s->set(zmq::sockopt::rcvtimeo, 200);
  }
  auto const tap_path = "ipc://" + (dir.path / "tap.sock").string();
  tap.set(zmq::sockopt::subscribe, "test.tick");
  tap.bind(tap_path);
  signed_pub<A> publisher(ctx, key);
  publisher.connect(ep);
  publisher.connect(tap_path);
  attacker.connect(ep.address);
  REQUIRE(joined(publisher, subscriber));
  REQUIRE(eventually([&] {
    (void)publisher.send(tick{"W", 0, 0});
    return !recv_frames(tap).empty();
  }));
  zmq::message_t subscription;
  REQUIRE(eventually([&] { return attacker.recv(subscription).has_value(); }));  // XPUB: the SUB's subscription
  CHECK(subscription.to_string() == "\x01test.tick");

  constexpr std::uint32_t count = 300, rounds = 40, recorded = 50;
  std::vector<std::vector<std::string>> recording;
  std::jthread recorder([&] {
    auto const deadline = std::chrono::steady_clock::now() + 20s;
    while (recording.size() < recorded && std::chrono::steady_clock::now() < deadline) {
      auto f = recv_frames(tap);
      auto const warm_up = tick_bytes("W", 0, 0);
      if (f.size() == 2 && f[1].find(std::string_view(reinterpret_cast<char const*>(warm_up.data()), warm_up.size())) ==
                               std::string::npos)
        recording.push_back(std::move(f));
    }
  });
  std::jthread injector([&] {
    zg::signer<A> forger(outsider), earlier_run(key);
    auto const id = key.id();
    for (std::uint32_t i = 0; i < rounds; ++i) {
      auto payload = tick_bytes("T", 666, 1 + i);
      auto forged = seal_frames(forger, "test.tick", payload);
      std::copy(id.bytes.begin(), id.bytes.end(), static_cast<std::uint8_t*>(forged[1].data()) + 2);
      send_frames(attacker, forged);                                                 // bad_signature
      send_frames(attacker, seal_frames(forger, "test.tick", payload));              // unknown_key
      send_frames(attacker, seal_frames(earlier_run, "alerts", payload));            // re_topiced
      send_frames(attacker, seal_frames(earlier_run, "test.tick", payload,
                                        clock_type::now() - 10min));                 // stale
      auto good = seal_frames(earlier_run, "test.tick", payload);
      auto truncated = cut(good, 35 + 9 + A::signature_size - 1), extra = copy_frames(good);
      extra.emplace_back("x", 1);
      send_frames(attacker, truncated);                                              // malformed
      send_frames(attacker, extra);                                                  // malformed
      std::this_thread::sleep_for(2ms);
    }
  });
  std::jthread feed([&] {
    for (std::uint32_t i = 1; i <= count; ++i) {
      (void)publisher.send(tick{"T", i, i});
      std::this_thread::sleep_for(1ms);
    }
  });

  std::vector<std::uint32_t> got;
  std::optional<std::uint64_t> epoch;
  auto const deadline = std::chrono::steady_clock::now() + 30s;
  while (got.size() < count && std::chrono::steady_clock::now() < deadline) {
    auto m = subscriber.template receive<tick>();
    if (!m || m->value.symbol.view() == "W") continue;
    CHECK(m->origin.key == key.id());
    if (!epoch) epoch = m->origin.epoch;
    CHECK(m->origin.epoch == *epoch);
    got.push_back(m->value.seq);
  }
  feed.join();
  injector.join();
  recorder.join();
  std::vector<std::uint32_t> expected(count);
  std::iota(expected.begin(), expected.end(), 1u);
  CHECK(got == expected);  // none lost, none out of order, nothing of the attacker's

  // Every injected message was dropped under its reason.
  auto drained = [&](char const* name, std::uint64_t n) {
    return eventually([&] {
      if (subscriber.template receive<tick>()) FAIL("a message was delivered after the feed ended");
      return ctx.events().count(name) == n;
    });
  };
  CHECK(drained("verify.bad_signature", rounds));
  CHECK(drained("verify.unknown_key", rounds));
  CHECK(drained("verify.re_topiced", rounds));
  CHECK(drained("verify.stale", rounds));
  CHECK(drained("verify.malformed", 2 * rounds));
  // The recorded feed, replayed: all dropped as replays, none delivered.
  REQUIRE(recording.size() == recorded);
  for (auto const& f : recording) send_frames(attacker, f);
  CHECK(drained("verify.replay", recorded));
  auto e = seen.named("verify.bad_signature").front();
  CHECK(e.field("claimed_key") == key.id().hex());
  CHECK(e.field("claimed_topic") == "test.tick");
}

TEST_CASE("signed PUB/SUB over tcp with CURVE: encrypted and signed, a CURVE insider cannot inject") {
  captured_events seen;
  zg::context<test_domain> ctx(seen.sink());
  zg::authenticator<test_domain> auth(ctx);
  auto server_keys = zg::keypair::generate(), client_keys = zg::keypair::generate();
  auth.allow(client_keys.public_part());
  auto key = zg::signing_key<zg::ed25519>::generate();
  zg::verify_keys<zg::ed25519> keys;
  keys.add(key.verify_part());
  using pub_t = zg::socket<test_domain, zg::tcp, zg::pub, zg::curve_server, signed_limits, tick_topic, zg::signing<zg::ed25519>>;
  using sub_t = zg::socket<test_domain, zg::tcp, zg::sub, zg::curve_client, signed_limits, tick_topic, zg::signing<zg::ed25519>>;
  pub_t publisher(ctx, auth, server_keys, key);
  auto ep = publisher.bind("tcp://127.0.0.1:*");
  CHECK(pub_t::profile().find("signing=ed25519") != std::string::npos);
  CHECK(sub_t::profile().find("verifies") != std::string::npos);

  // A relay that holds the server's CURVE keys (so the handshake succeeds)
  // but not the signing key.
  zmq::context_t raw;
  auto insider = raw_curve_server(raw, zmq::socket_type::xpub, server_keys, 200);

  sub_t subscriber(ctx, client_keys, server_keys.public_part(), keys);
  subscriber.connect(ep);
  subscriber.connect(insider.get(zmq::sockopt::last_endpoint));
  REQUIRE(joined(publisher, subscriber));
  zmq::message_t subscription;
  REQUIRE(eventually([&] { return insider.recv(subscription).has_value(); }));

  auto outsider = zg::signing_key<zg::ed25519>::generate();
  zg::signer<zg::ed25519> forger(outsider);
  constexpr std::uint32_t count = 100;
  std::vector<std::uint32_t> got;
  for (std::uint32_t i = 1; i <= count; ++i) {
    REQUIRE(publisher.send(tick{"T", i, i}));
    auto payload = tick_bytes("T", -1, i);
    auto forged = seal_frames(forger, "test.tick", payload);
    auto const id = key.id();
    std::copy(id.bytes.begin(), id.bytes.end(), static_cast<std::uint8_t*>(forged[1].data()) + 2);
    send_frames(insider, forged);
    send_frames(insider, std::vector<std::string>{"test.tick", std::string(payload.begin(), payload.end())});  // unsigned
    for (int spin = 0; spin < 3 && got.size() < i; ++spin)
      while (auto m = subscriber.template receive<tick>())
        if (m->value.symbol.view() == "T") got.push_back(m->value.seq);
  }
  while (got.size() < count)
    if (auto m = subscriber.template receive<tick>()) got.push_back(m->value.seq);
    else break;
  std::vector<std::uint32_t> expected(count);
  std::iota(expected.begin(), expected.end(), 1u);
  CHECK(got == expected);
  CHECK(eventually([&] {
    (void)subscriber.template receive<tick>();
    return ctx.events().count("verify.bad_signature") == count && ctx.events().count("verify.malformed") == count;
  }));
}

TEST_CASE("signed PUB/SUB: a restarted publisher (new epoch) is accepted from sequence 1") {
  captured_events seen;
  temp_dir dir;
  zg::context<test_domain> ctx(seen.sink());
  auto key = zg::signing_key<zg::blake2b_mac>::generate();
  zg::verify_keys<zg::blake2b_mac> keys;
  keys.add(key);
  auto const path = "ipc://" + (dir.path / "feed.sock").string();
  signed_sub<zg::blake2b_mac> subscriber(ctx, keys);
  subscriber.connect(path);
  std::uint64_t epochs[2] = {};
  for (int run = 0; run < 2; ++run) {
    signed_pub<zg::blake2b_mac> publisher(ctx, key);
    publisher.bind(path);
    REQUIRE(joined(publisher, subscriber));
    for (std::uint32_t i = 1; i <= 20; ++i) REQUIRE(publisher.send(tick{"T", run, i}));
    std::uint32_t received = 0;
    while (received < 20) {
      auto m = subscriber.template receive<tick>();
      REQUIRE(m);
      if (m->value.symbol.view() == "W") continue;
      CHECK(m->value.seq == ++received);
      CHECK(m->value.price == run);
      epochs[run] = m->origin.epoch;
    }
  }
  CHECK(epochs[0] != epochs[1]);
  CHECK(ctx.events().count("verify.replay") == 0);
}

TEST_CASE_TEMPLATE("PyNaCl peers written from docs/wire-format.md: ours verify theirs, theirs verify ours", A,
                   zg::ed25519, zg::blake2b_mac) {
  temp_dir dir;
  captured_events seen;
  zg::context<test_domain> ctx(seen.sink());
  std::array<std::uint8_t, 32> secret{};
  randombytes_buf(secret.data(), secret.size());
  auto key = [&] {
    if constexpr (std::is_same_v<A, zg::ed25519>) return zg::signing_key<zg::ed25519>::from_seed(secret);
    else return zg::signing_key<zg::blake2b_mac>::from_bytes(secret);
  }();
  std::string const alg = std::is_same_v<A, zg::ed25519> ? "ed25519" : "blake2b";
  std::string const publisher_key = to_hex(secret);
  std::string const subscriber_key =
      std::is_same_v<A, zg::ed25519> ? to_hex(std::span<std::uint8_t const>(keys_for<zg::ed25519>::verifying(zg::signing_key<zg::ed25519>::from_seed(secret)).data(), 32))
                                     : to_hex(secret);
  zg::verify_keys<A> keys;
  keys.add(keys_for<A>::verifying(key));
  std::string const python = python_script("signed_peer.py ");

  SUBCASE("a PyNaCl publisher; our subscriber") {
    auto const path = "ipc://" + (dir.path / "py.sock").string();
    auto python_pub = std::async(std::launch::async, [&] {
      return run_command(python + "publish " + path + " " + alg + " " + publisher_key + " test.tick 50");
    });
    signed_sub<A> subscriber(ctx, keys);
    subscriber.connect(path);
    std::vector<std::int64_t> prices;
    auto const deadline = std::chrono::steady_clock::now() + 25s;
    while (prices.size() < 50 && std::chrono::steady_clock::now() < deadline)
      if (auto m = subscriber.template receive<tick>()) {
        CHECK(m->value.symbol.view() == "PY");
        CHECK(m->origin.sequence == m->value.seq);
        prices.push_back(m->value.price);
      }
    auto [rc, out] = python_pub.get();
    CHECK(rc == 0);
    CHECK(out == "published 50\n");
    REQUIRE(prices.size() == 50);
    for (std::size_t i = 0; i < 50; ++i) CHECK(prices[i] == std::int64_t(i + 1));
    CHECK(seen.named("verify.bad_signature").empty());
  }
  SUBCASE("our publisher; a PyNaCl subscriber") {
    signed_pub<A> publisher(ctx, key);
    auto ep = publisher.bind("ipc://" + (dir.path / "ours.sock").string());
    std::atomic<bool> done = false;
    auto feed = publish_ticks(publisher, done);
    auto [rc, out] = run_command(python + "subscribe " + ep.address + " " + alg + " " + subscriber_key + " test.tick 30");
    done = true;
    CHECK(rc == 0);
    CHECK(out.starts_with("verified 30 epoch "));
    CHECK(out.ends_with("rejected 0\n"));
  }
}

TEST_CASE("signed REQ/REP: both directions signed, the handler sees who signed, an unsigned request is refused") {
  captured_events seen;
  temp_dir dir;
  zg::context<test_domain> ctx(seen.sink());
  using order_service = zg::service<order, order_ack>;
  using rep_t = zg::socket<test_domain, zg::ipc, zg::rep, zg::null_mechanism, rr_limits, order_service, zg::signing<zg::ed25519>>;
  using req_t = zg::socket<test_domain, zg::ipc, zg::req, zg::null_mechanism, rr_limits, order_service, zg::signing<zg::ed25519>>;
  auto server_key = zg::signing_key<zg::ed25519>::generate(), client_key = zg::signing_key<zg::ed25519>::generate();
  zg::verify_keys<zg::ed25519> clients, servers;
  clients.add(client_key.verify_part());
  servers.add(server_key.verify_part());
  auto const path = "ipc://" + (dir.path / "orders.sock").string();
  std::promise<void> bound;
  std::jthread server([&](std::stop_token stop) {
    rep_t rep(ctx, server_key, clients);
    rep.bind(path);
    bound.set_value();
    rep.serve(
        [&](order const& o, zg::peer_info const&, zg::signed_origin const& from) {
          return order_ack{o.id, from.key == client_key.id(), "signed by " + from.key.hex().substr(0, 8)};
        },
        stop);
  });
  bound.get_future().wait();
  req_t client(ctx, client_key, servers);
  client.connect(path);
  for (auto const& ack : call_each(client, 5, numbered_order)) CHECK(ack.accepted);
  // An unsigned request: dropped as malformed, answered with a signed refusal.
  zmq::context_t raw;
  zmq::socket_t plain(raw, zmq::socket_type::req);
  plain.set(zmq::sockopt::linger, 0);
  plain.set(zmq::sockopt::rcvtimeo, 5000);
  plain.connect(path);
  auto bytes = zg::encode(sample_order());
  (void)plain.send(zmq::buffer(bytes));
  auto refusal = recv_frames(plain);
  REQUIRE(refusal.size() == 1);  // header || payload || signature
  std::vector<zmq::message_t> frames;
  for (auto const& f : refusal) frames.emplace_back(f.data(), f.size());
  zg::verifier<zg::ed25519, 30000, 1024> v(servers);
  auto env = zg::unverified_envelope::parse(frames, false);
  REQUIRE(env);
  auto r = v.verify(*env, "");
  REQUIRE(r.ok());
  auto why = zg::decode<zg::refusal>(r.payload());
  REQUIRE(why);
  CHECK(why->field.view() == "envelope: malformed");
  CHECK(ctx.events().count("verify.malformed") == 1);
  server.request_stop();
}

TEST_CASE("signed PUSH/PULL stream over inproc with a group MAC key") {
  captured_events seen;
  zg::context<test_domain> ctx(seen.sink());
  auto group = zg::signing_key<zg::blake2b_mac>::generate();
  zg::verify_keys<zg::blake2b_mac> keys;
  keys.add(group);
  zg::socket<test_domain, zg::inproc, zg::push, zg::null_mechanism, inproc_limits, zg::stream<order>,
             zg::signing<zg::blake2b_mac>>
      push(ctx, group);
  zg::socket<test_domain, zg::inproc, zg::pull, zg::null_mechanism, inproc_limits, zg::stream<order>,
             zg::signing<zg::blake2b_mac>>
      pull(ctx, keys);
  pull.connect(push.bind(zg::endpoint<zg::inproc, test_domain>("inproc://signed-orders")));
  for (int i = 0; i < 10; ++i) REQUIRE(push.send(sample_order()));
  for (std::uint64_t i = 1; i <= 10; ++i) {
    auto got = pull.receive<order>();
    REQUIRE(got);
    CHECK(got->value == sample_order());
    CHECK(got->origin.sequence == i);
  }
}

TEST_CASE("signed SUB: another channel's messages on a longer topic are skipped, not refused as re-topiced") {
  // libzmq's subscription is a prefix: a SUB of "test.tick" also gets an
  // honest publisher's "test.tick.fast" messages. They are another
  // channel's, not an attack: each used to be verified, then refused and
  // logged as verify.re_topiced (the altering-relay warning).
  captured_events seen;
  temp_dir dir;
  zg::context<test_domain> ctx(seen.sink());
  auto key = zg::signing_key<zg::ed25519>::generate();
  zg::verify_keys<zg::ed25519> keys;
  keys.add(key.verify_part());
  signed_sub<zg::ed25519> subscriber(ctx, keys);
  auto ep = subscriber.bind("ipc://" + (dir.path / "feed.sock").string());

  // The other channel's publisher, raw so it sees the SUB's subscription arrive.
  zmq::context_t raw;
  zmq::socket_t fast(raw, zmq::socket_type::xpub);
  fast.set(zmq::sockopt::linger, 0);
  fast.set(zmq::sockopt::rcvtimeo, 200);
  fast.connect(ep.address);
  zmq::message_t subscription;
  REQUIRE(eventually([&] {
    (void)subscriber.readable();  // the SUB attaches the new pipe, and sends it its subscription, when called
    return fast.recv(subscription).has_value();
  }));
  CHECK(subscription.to_string() == "\x01test.tick");
  zg::signer<zg::ed25519> honest(key);
  constexpr std::uint32_t count = 20;
  for (std::uint32_t i = 1; i <= count; ++i)
    send_frames(fast, seal_frames(honest, "test.tick.fast", tick_bytes("F", 7, i), clock_type::now(), "test.tick.fast"));

  signed_pub<zg::ed25519> publisher(ctx, key);
  publisher.connect(ep);
  REQUIRE(joined(publisher, subscriber));
  for (std::uint32_t i = 1; i <= count; ++i) REQUIRE(publisher.send(tick{"T", 1, i}));
  std::uint32_t received = 0;
  while (auto m = subscriber.receive<tick>())
    if (m->value.symbol.view() == "T") ++received;  // the rest: warm-ups ("W")
  CHECK(received == count);
  CHECK(seen.named("verify.re_topiced").empty());
  CHECK(seen.named("message.refused").empty());
  // The exact topic still has to match what was signed: a relay that moves
  // a "test.tick.fast" message onto "test.tick" is refused as before.
  send_frames(fast, seal_frames(honest, "test.tick.fast", tick_bytes("F", 7, 99), clock_type::now(), "test.tick"));
  CHECK_FALSE(subscriber.receive<tick>());
  CHECK(seen.named("verify.re_topiced").size() == 1);
}
