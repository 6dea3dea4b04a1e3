// The Python module (python/zguard) against the library: schema descriptions
// generated from the C++ types, the same bytes refused for the same reason,
// field and offset by both decoders and both envelope verifiers, and typed
// and signed sockets talking to Python peers built on the module both ways
// over CURVE on tcp loopback. The peers run Debian's python3 with
// python3-zmq and python3-nacl; without them these tests fail, never skip.
#include "schemas.hpp"
#include "support.hpp"

#include <cmath>
#include <limits>
#include "tools/described_schemas.hpp"

#include <fstream>
#include <future>
#include <sstream>
#include <stop_token>
#include <thread>

using namespace zguard_test;
using namespace std::chrono_literals;

namespace {

using clock_type = std::chrono::system_clock;
using order_service = zg::service<order, order_ack>;
using typed_rep = zg::socket<test_domain, zg::tcp, zg::rep, zg::curve_server, rr_limits, order_service>;
using typed_req = zg::socket<test_domain, zg::tcp, zg::req, zg::curve_client, rr_limits, order_service>;
// rr_limits with a bucket of 10 requests, refilled one a second.
using rated_limits = zg::limits<zg::send_hwm<100>, zg::recv_hwm<100>, zg::block_when_full, zg::max_message_size<4096>,
                                zg::linger_ms<0>, zg::send_timeout_ms<1000>, zg::recv_timeout_ms<500>,
                                zg::handshake_timeout_ms<2000>, zg::per_peer_rate<1, 10>>;
using rated_rep = zg::socket<test_domain, zg::tcp, zg::rep, zg::curve_server, rated_limits, order_service>;
// A vouching queue (CURVE front on tcp, NULL back on ipc) and its clients.
using vouch_front = zg::socket<test_domain, zg::tcp, zg::router, zg::curve_server, rr_limits>;
using vouch_back = zg::socket<test_domain, zg::ipc, zg::dealer, zg::null_mechanism, rr_limits>;
using vouching_queue = zg::proxy<vouch_front, vouch_back, zg::vouch_clients<zg::blake2b_mac>>;
using tick_topic = zg::topic<"test.tick", tick>;
using feed_limits = zg::limits<zg::send_hwm<10000>, zg::recv_hwm<10000>, zg::drop_when_full,
                               zg::max_message_size<512>, zg::linger_ms<0>, zg::send_timeout_ms<100>,
                               zg::recv_timeout_ms<200>, zg::handshake_timeout_ms<2000>>;
using plain_pub = zg::socket<test_domain, zg::tcp, zg::pub, zg::curve_server, feed_limits, tick_topic>;
template <class A>
using signed_pub = zg::socket<test_domain, zg::tcp, zg::pub, zg::curve_server, feed_limits, tick_topic, zg::signing<A>>;
template <class A>
using signed_sub = zg::socket<test_domain, zg::tcp, zg::sub, zg::curve_client, feed_limits, tick_topic, zg::signing<A>>;

// "python3 tests/python/module_peer.py ARGS", the module on its path.
std::string peer(std::string const& args) { return python_script_with_module("module_peer.py " + args); }

// The descriptions of the test schemas, written by the describe_schemas tool.
std::filesystem::path describe_into(temp_dir const& dir) {
  auto const path = dir.path / "schemas.json";
  auto [rc, out] = run_command(std::string(ZGUARD_DESCRIBE_SCHEMAS) + " " + path.string());
  REQUIRE(rc == 0);
  REQUIRE(std::filesystem::exists(path));
  return path;
}

// What the C++ decoder says of bytes, in module_peer.py's words: "ok" when
// they decode (and encode back to themselves), else reason, field, offset.
template <class S>
std::string verdict(std::vector<std::uint8_t> const& bytes) {
  auto r = zg::decode<S>(std::span<std::uint8_t const>(bytes));
  if (r) return zg::encode(*r) == bytes ? "ok" : "noncanonical";
  auto const& e = r.error();
  return std::string(zg::to_string(e.reason)) + " " + (e.field.empty() ? "-" : e.field) + " " +
         std::to_string(e.offset);
}

// Every one-byte change of a message (five ways), every cut, and one byte
// more: the inputs both decoders are given.
std::vector<std::vector<std::uint8_t>> mutations(std::vector<std::uint8_t> const& good) {
  std::vector<std::vector<std::uint8_t>> out{good};
  for (std::size_t i = 0; i < good.size(); ++i)
    for (auto change : {0x01, 0x80, 0xff}) {
      auto m = good;
      m[i] ^= std::uint8_t(change);
      out.push_back(m);
    }
  for (std::size_t i = 0; i < good.size(); ++i)
    for (std::uint8_t value : {0x00, 0x02}) {
      auto m = good;
      m[i] = value;
      out.push_back(m);
    }
  for (std::size_t n = 0; n < good.size(); ++n) out.emplace_back(good.begin(), good.begin() + std::ptrdiff_t(n));
  auto longer = good;
  longer.push_back(0);
  out.push_back(longer);
  return out;
}

std::vector<std::uint8_t> bytes_of(std::initializer_list<std::vector<std::uint8_t>> parts) {
  std::vector<std::uint8_t> out;
  for (auto const& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}
std::vector<std::uint8_t> text_bytes(std::string_view s) { return {s.begin(), s.end()}; }

// Compares a Python peer's output with what the C++ side expects, line by
// line, so a failure names the line (`what` N); the peer says no more.
void check_lines(std::string const& out, std::string const& expected, char const* what) {
  std::istringstream got(out), want(expected);
  std::string g, w;
  std::size_t line = 0;
  while (std::getline(want, w)) {
    std::getline(got, g);
    CHECK_MESSAGE(g == w, what, " ", line);
    ++line;
  }
  CHECK(!std::getline(got, g));
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

// A signing key of algorithm A from 32 secret bytes, what a verifier holds
// of it, and how module_peer.py names both.
template <class A>
struct signing_material {
  static constexpr bool is_ed25519 = std::is_same_v<A, zg::ed25519>;
  std::array<std::uint8_t, 32> secret;
  zg::signing_key<A> key = make(secret);
  std::string const name = is_ed25519 ? "ed25519" : "blake2b";

  static zg::signing_key<A> make(std::array<std::uint8_t, 32> const& s) {
    if constexpr (is_ed25519) return zg::signing_key<zg::ed25519>::from_seed(s);
    else return zg::signing_key<zg::blake2b_mac>::from_bytes(s);
  }
  std::string secret_hex() const { return to_hex(secret); }
  // An Ed25519 verifier holds the public key; a MAC group, the key itself.
  std::string verify_hex() const {
    if constexpr (is_ed25519) return to_hex(std::span<std::uint8_t const>(key.verify_part().data(), 32));
    else return to_hex(secret);
  }
  zg::verify_keys<A> verify_keys() const {
    zg::verify_keys<A> keys;
    if constexpr (is_ed25519) keys.add(key.verify_part());
    else keys.add(key);
    return keys;
  }
};

// CURVE certificates for the Python peers (the format pyzmq's
// zmq.auth.load_certificate reads).
struct curve_pair {
  zg::keypair server = zg::keypair::generate(), client = zg::keypair::generate();
  std::filesystem::path server_cert, server_secret, client_secret;
  explicit curve_pair(temp_dir const& dir)
      : server_cert(dir.path / "server.cert"), server_secret(dir.path / "server.cert_secret"),
        client_secret(dir.path / "client.cert_secret") {
    zg::save_certificate(server_cert, server);
    zg::save_certificate(dir.path / "client.cert", client);
  }
};

// What every socket test with a Python peer starts from: the interpreter
// checked, the described schemas, a context whose authenticator admits the
// client's CURVE key, and the certificates.
struct python_session {
  temp_dir dir;
  std::filesystem::path schemas;
  captured_events seen;
  zg::context<test_domain> ctx{seen.sink()};
  zg::authenticator<test_domain> auth{ctx};
  curve_pair keys{dir};
  python_session() {
    require_python();
    schemas = describe_into(dir);
    auth.allow(keys.client.public_part());
  }
};

}  // namespace

TEST_CASE("schema description: generated from the C++ types, one text per wire format") {
  // The documented shape, for a small schema.
  CHECK(zg::describe<tick>() ==
        R"({"format":1,"name":"test.tick","version":1,"max_encoded_size":34,"fields":[)"
        R"({"name":"symbol","type":{"kind":"string","max_length":8,"prefix_bytes":1,"max_size":9}},)"
        R"({"name":"price","type":{"kind":"int","signed":true,"bytes":8,"max_size":8}},)"
        R"({"name":"seq","type":{"kind":"int","signed":false,"bytes":4,"max_size":4}}]})");
  CHECK(zg::max_encoded_size<tick> == 34);
  // Views have the wire format of the owning types: one description.
  CHECK(zg::describe<note_view>() == zg::describe<note>());
  // Bounds and the prefix widths the wire format gives them, enum values in
  // their declared order with their signedness, ranged limits, nesting.
  auto const w = zg::describe<wide>();
  for (auto part : {R"("kind":"enum","signed":true,"bytes":2,"values":[-1,0,300])",
                    R"("kind":"ranged","signed":true,"bytes":8,"min":-5,"max":5)",
                    R"("kind":"string","max_length":300,"prefix_bytes":2,"max_size":302)",
                    R"("kind":"bytes","max_length":70000,"prefix_bytes":4,"max_size":70004)",
                    R"("kind":"array","count":2,"element":{"kind":"struct","fields":[{"name":"x")",
                    R"("kind":"optional","element":{"kind":"struct")",
                    R"("kind":"vector","max_count":3,"prefix_bytes":1,"element":{"kind":"optional")",
                    R"("kind":"ranged","signed":false,"bytes":2,"min":10,"max":20)"})
    CHECK_MESSAGE(w.find(part) != std::string::npos, part);
  CHECK(w.find(R"("max_encoded_size":)" + std::to_string(zg::max_encoded_size<wide>) + ",") != std::string::npos);

  // write_descriptions: a JSON array, one schema a line; an unwritable path throws.
  temp_dir dir;
  zg::write_descriptions<tick, order_ack>(dir.path / "two.json");
  std::ifstream f(dir.path / "two.json");
  std::stringstream text;
  text << f.rdbuf();
  CHECK(text.str() == "[\n" + zg::describe<tick>() + ",\n" + zg::describe<order_ack>() + "\n]\n");
  CHECK_THROWS_AS(zg::write_descriptions<tick>(dir.path / "missing" / "x.json"), std::runtime_error);
}

TEST_CASE("Python module: loads the described schemas, refuses tampered descriptions and values C++ would not hold") {
  require_python();
  temp_dir dir;
  auto const schemas = describe_into(dir);
  auto [rc, out] = run_command(peer("schemas " + schemas.string()));
  REQUIRE(rc == 0);
  auto line = [](std::string_view name, std::uint16_t version, std::size_t size) {
    return std::string(name) + " " + std::to_string(version) + " " + std::to_string(size) + "\n";
  };
  CHECK(out == line("test.order", 1, zg::max_encoded_size<order>) +
                   line("test.order_ack", 1, zg::max_encoded_size<order_ack>) +
                   line("test.tick", 1, zg::max_encoded_size<tick>) + line("test.note", 1, zg::max_encoded_size<note>) +
                   line("test.bulk", 1, zg::max_encoded_size<bulk>) + line("test.wide", 3, zg::max_encoded_size<wide>) +
                   line("test.measure", 1, zg::max_encoded_size<measure>) +
                   line("zguard.refusal", 1, zg::max_encoded_size<zg::refusal>) + "refusal built-in matches\n");

  // A description edited by hand cannot make the module read another
  // format than the C++ side writes: every inconsistency is refused.
  auto [rc2, verdicts] = run_command(peer("tampered " + schemas.string()));
  REQUIRE(rc2 == 0);
  CHECK(verdicts ==
        "as written loaded\n"
        "prefix_bytes not the bound's refused\n"
        "bound over 4294967295 refused\n"
        "max_size not the type's refused\n"
        "max_encoded_size not the fields' refused\n"
        "unknown kind refused\n"
        "integer of 3 bytes refused\n"
        "enum value outside its integer refused\n"
        "ranged min above max refused\n"
        "repeated field name refused\n"
        "name too long refused\n"
        "another wire format refused\n");

  // Values the C++ types would not hold are not encoded.
  auto [rc3, encoded] = run_command(peer("encode " + schemas.string()));
  REQUIRE(rc3 == 0);
  CHECK(encoded ==
        "a good order encoded\n"
        "id over 64 bits refused\n"
        "id negative refused\n"
        "id a bool refused\n"
        "undeclared direction refused\n"
        "qty above its range refused\n"
        "sku of 17 bytes refused\n"
        "sku of 9 characters, 18 bytes refused\n"
        "sku with a lone surrogate refused\n"
        "five lines refused\n"
        "tag of 3 refused\n"
        "tag item over a byte refused\n"
        "urgent as 1 refused\n"
        "blob of 9 refused\n"
        "blob as str refused\n"
        "a field missing refused\n"
        "an extra field refused\n");
}

TEST_CASE("Python module: signer and verifier arguments, service envelopes, key retirement") {
  require_python();
  auto [rc, out] = run_command(peer("keys"));
  REQUIRE(rc == 0);
  std::array<std::uint8_t, 32> seed{};
  for (int i = 0; i < 32; ++i) seed[i] = std::uint8_t(i);
  CHECK(out == "a verifier given a signing key refused\n"  // bytes() of a SigningKey is its secret seed
               "a key of 31 bytes refused\n"
               "a seed of 33 bytes refused\n"
               "an unknown algorithm refused\n"
               "freshness_ms 0 refused\n"  // the bounds of freshness_ms<N> and replay_window<N>
               "freshness_ms 600001 refused\n"
               "replay_window 100 refused\n"
               "replay_window 65600 refused\n"
               "a topic of 256 bytes refused\n"
               "a service message 1\n"
               "a service message under a topic re_topiced\n"
               "a feed message without its topic frame malformed\n"
               "before retirement 4\n"
               "at retirement unknown_key\n"
               "added again 6\n"
               "removed unknown_key\n"
               "key id " + zg::signing_key<zg::ed25519>::from_seed(seed).id().hex() + "\n");
}

TEST_CASE("Python module and C++ decoder: the same bytes, the same verdict (reason, field path, offset)") {
  require_python();
  temp_dir dir;
  auto const schemas = describe_into(dir);
  std::string input, expected;
  auto add = [&]<class S>(std::type_identity<S>, std::vector<std::uint8_t> const& bytes) {
    input += std::string(S::zguard_schema_id.name) + " " + to_hex(bytes) + "\n";
    expected += verdict<S>(bytes) + "\n";
  };
  constexpr auto order_t = std::type_identity<order>{};
  // The documented vectors, each with every byte changed, cut and lengthened.
  for (auto const& m : mutations(zg::encode(sample_order()))) add(order_t, m);
  for (auto const& m : mutations(zg::encode(blank_order()))) add(order_t, m);
  for (auto const& m : mutations(zg::encode(order_ack{7, true, "ok"}))) add(std::type_identity<order_ack>{}, m);
  for (auto const& m : mutations(zg::encode(tick{"EURUSD", -1, 3}))) add(std::type_identity<tick>{}, m);
  for (auto const& m : mutations(zg::encode(sample_wide()))) add(std::type_identity<wide>{}, m);
  wide small{};
  small.lvl = level::low;
  for (auto const& m : mutations(zg::encode(small))) add(std::type_identity<wide>{}, m);
  for (auto const& m : mutations(zg::encode(zg::refusal{3, "lines[1].qty"}))) add(std::type_identity<zg::refusal>{}, m);
  // Floats: ordinary, negative zero, infinity, the smallest subnormal, NaN
  // (sent as the one quiet NaN; any other NaN bits refused on both sides).
  double const inf = std::numeric_limits<double>::infinity();
  for (auto const& m : mutations(zg::encode(measure{1.5f, -0.0, {inf, 4.9e-324}, std::numeric_limits<float>::quiet_NaN()})))
    add(std::type_identity<measure>{}, m);
  for (auto const& m : mutations(zg::encode(measure{-3.25e-40f, std::nan(""), {-inf, 1e308}, std::nullopt})))
    add(std::type_identity<measure>{}, m);
  // Strict UTF-8: overlong, surrogate, past U+10FFFF, cut short, a stray
  // continuation byte, and valid 2-, 3- and 4-byte forms.
  auto const note_header = bytes_of({{1, 9}, text_bytes("test.note"), {1, 0}});
  for (std::vector<std::uint8_t> text : std::initializer_list<std::vector<std::uint8_t>>{
           {0xc0, 0xaf}, {0xe0, 0x80, 0xaf}, {0xed, 0xa0, 0x80}, {0xf4, 0x90, 0x80, 0x80}, {0xf8, 0x88, 0x80, 0x80},
           {0xe2, 0x82}, {0x80}, {0xc3, 0xa9}, {0xe2, 0x82, 0xac}, {0xf0, 0x9f, 0x98, 0x80}, {0xf4, 0x8f, 0xbf, 0xbf}})
    add(std::type_identity<note>{}, bytes_of({note_header, {std::uint8_t(text.size())}, text, {0}}));
  // A count of 60000 items (2-byte prefix) with a few bytes behind it: refused
  // before anything is built, on both sides.
  auto const bulk_header = bytes_of({{1, 9}, text_bytes("test.bulk"), {1, 0}});
  add(std::type_identity<bulk>{}, bytes_of({bulk_header, {0x60, 0xea, 1, 2, 3, 4}}));
  add(std::type_identity<bulk>{}, bytes_of({bulk_header, {0x61, 0xea}}));
  add(std::type_identity<bulk>{}, bytes_of({bulk_header, {0x01, 0x00, 1, 2, 3}}));
  // Another schema, another version, another format, under the order's name.
  add(order_t, zg::encode(order_v2{5}));
  add(order_t, zg::encode(tick{"X", 1, 1}));
  add(order_t, {2});
  add(order_t, {});

  write_file(dir.path / "decode.txt", input);
  auto [rc, out] = run_command(peer("decode " + schemas.string() + " " + (dir.path / "decode.txt").string()));
  REQUIRE(rc == 0);
  // Compared line by line, so a failure names the input.
  std::istringstream got(out), want(expected), in(input);
  std::string g, w, i;
  std::size_t lines = 0, refused = 0;
  while (std::getline(want, w)) {
    std::getline(got, g);
    std::getline(in, i);
    CHECK_MESSAGE(g == w, i);
    ++lines;
    refused += w != "ok";
  }
  CHECK(!std::getline(got, g));
  CHECK(lines > 4000);
  CHECK(refused > 1000);
  for (auto reason : {"truncated ", "length_over_bound ", "out_of_range ", "unknown_enum_value ", "invalid_utf8 ",
                      "trailing_bytes ", "unsupported_format ", "wrong_schema ", "wrong_version "})
    CHECK_MESSAGE(expected.find(std::string("\n") + reason) != std::string::npos, reason);
}

TEST_CASE("Python module and C++ call(): the same refusal texts, the same rate-limit waits") {
  require_python();
  temp_dir dir;
  std::vector<std::string> const texts = {
      "rate limited; retry after 250 ms", "rate limited; retry after 0 ms", "rate limited",
      "rate limited; retry after 3600000 ms", "rate limited; retry after 3600001 ms",
      "rate limited; retry after 99999999999 ms", "rate limited; retry after 9999999999 ms",
      "rate limited; retry after -1 ms", "rate limited; retry after 1e3 ms", "rate limited; retry after  ms",
      "rate limited; retry after 12 s", "rate limitedness", "not permitted: call test.order", "", "Rate limited",
      "rate limited; retry after -99999999999 ms", "rate limited; retry after forever and ever ms",
      "rate limited; retry after \xd9\xa1\xd9\xa2\xd9\xa3\xd9\xa4\xd9\xa5\xd9\xa6 ms"};
  std::string input, expected;
  for (auto const& t : texts) {
    input += to_hex(t) + "\n";
    auto const wait = zg::detail::rate_limited_wait(t);
    expected += (wait ? std::to_string(wait->count()) : std::string("none")) + "\n";
  }
  write_file(dir.path / "waits.txt", input);
  auto [rc, out] = run_command(peer("waits " + (dir.path / "waits.txt").string()));
  REQUIRE(rc == 0);
  CHECK(out == expected);
}

TEST_CASE("Python module and C++ receiver: the same batches, the same verdict on their framing") {
  require_python();
  temp_dir dir;
  // Two ticks in one batch (docs/wire-format.md, "Batches"), each byte
  // changed five ways, every cut, one byte more; the receiver takes 4 a batch.
  std::vector<std::uint8_t> batch{0x81, 2, 0};
  for (auto const& m : {zg::encode(tick{"EURUSD", -1, 3}), zg::encode(tick{"AB", 7, 4})}) {
    for (int i = 0; i < 4; ++i) batch.push_back(std::uint8_t(m.size() >> (8 * i)));
    batch.insert(batch.end(), m.begin(), m.end());
  }
  std::string input, expected;
  std::size_t const max_item = zg::max_encoded_size<tick>;
  for (auto const& m : mutations(batch)) {
    input += to_hex(m) + "\n";
    if (auto e = zg::detail::check_batch(m, 4, max_item))
      expected += std::string(zg::to_string(e->reason)) + " " + (e->field.empty() ? "-" : e->field) + " " +
                  std::to_string(e->offset) + "\n";
    else
      expected += "ok " + std::to_string(m[1] | m[2] << 8) + "\n";
  }
  write_file(dir.path / "batches.txt", input);
  auto [rc, out] = run_command(peer("batches 4 " + std::to_string(max_item) + " " + (dir.path / "batches.txt").string()));
  REQUIRE(rc == 0);
  std::istringstream got(out), want(expected), in(input);
  std::string g, w, i;
  std::size_t lines = 0;
  while (std::getline(want, w)) {
    std::getline(got, g);
    std::getline(in, i);
    CHECK_MESSAGE(g == w, i);
    ++lines;
  }
  CHECK(lines > 300);
  for (auto verdict : {"ok 2", "truncated batch[1]", "length_over_bound batch.count", "length_over_bound batch[0]",
                       "trailing_bytes batch", "unsupported_format batch"})
    CHECK_MESSAGE(expected.find(verdict) != std::string::npos, verdict);
}

TEST_CASE_TEMPLATE("Python module and C++ verifier: the same envelopes, the same drop reasons", A, zg::ed25519,
                   zg::blake2b_mac) {
  require_python();
  temp_dir dir;
  // The documented keys and vector: epoch 0x0102030405060708 at 1.7e15 µs.
  std::array<std::uint8_t, 32> secret{}, other{};
  for (int i = 0; i < 32; ++i) {
    secret[i] = std::uint8_t(signing_material<A>::is_ed25519 ? i : 32 + i);
    other[i] = std::uint8_t(64 + i);
  }
  signing_material<A> const mine{secret};
  auto const& key = mine.key;
  auto const keys = mine.verify_keys();
  auto const now = clock_type::time_point(std::chrono::microseconds(1700000000000000));
  zg::signer<A> s(key, zg::detail::fixed_epoch{0x0102030405060708});
  zg::signer<A> outsider(signing_material<A>::make(other));
  auto const payload = zg::encode(tick{"EURUSD", -1, 3});

  std::vector<std::vector<std::string>> messages;  // frames as bytes
  auto frame_text = [](zmq::message_t const& m) { return std::string(static_cast<char const*>(m.data()), m.size()); };
  auto sealed = [&](zg::signer<A>& by, std::string_view topic, clock_type::time_point at) {
    return frame_text(by.seal(topic, payload, at));
  };
  std::string const topic = "test.tick";
  auto const first = sealed(s, topic, now);  // the documented vector
  messages.push_back({topic, first});
  for (std::size_t i = 0; i < first.size(); ++i) {  // every byte changed
    auto t = first;
    t[i] = char(t[i] ^ 0x01);
    messages.push_back({topic, t});
  }
  for (std::size_t n = 0; n < first.size(); ++n) messages.push_back({topic, first.substr(0, n)});  // every cut
  messages.push_back({topic, first + "x"});
  for (int topic_size : {0, 8, 10, 255}) {  // the topic length byte, signature untouched
    auto t = first;
    t[34] = char(topic_size);
    messages.push_back({topic, t});
  }
  messages.push_back({"test.tick.eu", sealed(s, topic, now)});     // topic frame not the signed topic
  messages.push_back({"test.tick", sealed(s, "alerts", now)});     // signed for another topic
  messages.push_back({sealed(s, topic, now)});                     // no topic frame
  messages.push_back({topic, sealed(s, topic, now), "x"});         // a frame too many
  messages.push_back({topic, sealed(outsider, topic, now)});       // unknown key
  messages.push_back({topic, sealed(s, topic, now - 31s)});        // stale, either way
  messages.push_back({topic, sealed(s, topic, now + 31s)});
  messages.push_back({topic, sealed(s, topic, now - 29s)});        // fresh enough
  messages.push_back({topic, frame_text(s.seal(topic, std::span<std::uint8_t const>{}, now))});  // empty payload
  // The replay window (1024): a run, then late, repeated and too old ones.
  std::vector<std::string> run;
  for (int i = 0; i < 2100; ++i) run.push_back(sealed(s, topic, now));
  for (int i : {1999, 999, 999, 975, 1500, 1500, 2099, 2050, 1999, 0}) messages.push_back({topic, run[std::size_t(i)]});
  messages.push_back({topic, first});  // the vector again: a replay
  // 260 more publisher runs: the 256 most recently seen are remembered, the
  // oldest forgotten first (then only freshness stops their replays).
  std::vector<std::string> runs;
  for (std::uint64_t k = 1; k <= 260; ++k) {
    zg::signer<A> restarted(key, zg::detail::fixed_epoch{1000 + k});
    runs.push_back(sealed(restarted, topic, now));
    messages.push_back({topic, runs.back()});
  }
  for (std::size_t i : {0, 1, 2, 259}) messages.push_back({topic, runs[i]});

  zg::verifier<A, 30000, 1024> v(keys);
  std::string input, expected;
  for (auto const& m : messages) {
    std::vector<zmq::message_t> frames;
    for (auto const& f : m) {
      frames.emplace_back(f.data(), f.size());
      input += (f.empty() ? std::string(".") : to_hex(std::span(reinterpret_cast<std::uint8_t const*>(f.data()), f.size())));
      input += ' ';
    }
    input.back() = '\n';
    auto env = zg::unverified_envelope::parse(frames, true);
    if (!env) {
      expected += "malformed\n";
      continue;
    }
    auto r = v.verify(*env, topic, now);
    expected += r ? "ok " + std::to_string(r.origin().sequence) + "\n" : std::string(zg::to_string(r.reason())) + "\n";
  }
  CHECK(expected.ends_with("ok 1\nok 1\nok 1\nreplay\n"));  // forgotten runs, then a remembered one
  write_file(dir.path / "verify.txt", input);
  auto [rc, out] = run_command(peer("verify " + mine.name + " " + mine.verify_hex() + " 1700000000000000 " +
                                    (dir.path / "verify.txt").string()));
  REQUIRE(rc == 0);
  check_lines(out, expected, "message");
  for (auto reason : {"\nok 1\n", "\nmalformed\n", "\nunknown_key\n", "\nbad_signature\n", "\nre_topiced\n", "\nstale\n",
                      "\nreplay\n"})
    CHECK_MESSAGE(("\n" + expected).find(reason) != std::string::npos, reason);
}

TEST_CASE("Python REQ client with the module (sockets.call) calls a typed C++ CURVE service") {
  python_session py;
  auto& keys = py.keys;
  auto& seen = py.seen;
  serving<rated_rep> server(py.ctx, py.auth, keys.server, [](order const& o, zg::peer_info const&) {
    if (o.id == 14) throw zg::application_error(7, "cannot fill order 14");
    std::int64_t total = 0;
    for (auto const& l : o.lines) total += l.qty.value();
    return order_ack{o.id, total > 0, "qty " + std::to_string(total)};
  });
  auto [rc, out] = run_command(peer("client " + server.endpoint + " " + keys.server_cert.string() + " " +
                                    keys.client_secret.string() + " " + py.schemas.string()));
  CHECK(rc == 0);
  CHECK(out == "qty 0 not encoded\n"
               "ack 7 accepted qty 3\n"
               "refused_by_service: out_of_range at lines[0].qty\n"
               "refused_by_service: wrong_schema\n"
               "refused_by_service: wrong_version\n"
               "refused_by_service: unsupported_format\n"
               "ack 10 accepted qty 1001\n"
               "application_error 7: cannot fill order 14\n"
               "rate_limited within 30 calls, retry after 1..1000 ms\n"
               "timed_out\n"        // a local service answering late
               "ack 21 accepted local\n");  // the next call gets its own reply, not the late one
  CHECK(eventually([&] { return seen.named("message.refused").size() == 4; }));
  CHECK(seen.named("message.refused").front().field("user_id") == keys.client.public_part().z85());
  CHECK(seen.named("rate.limited").size() >= 1);
}

TEST_CASE("typed C++ REQ calls a Python REP service built on the module (sockets.Service)") {
  python_session py;
  auto& keys = py.keys;
  auto& ctx = py.ctx;
  auto const endpoint_file = py.dir.path / "rep.endpoint";
  auto python_peer = std::async(std::launch::async, [&] {
    return run_command(peer("serve " + endpoint_file.string() + " " + keys.server_secret.string() + " " +
                            py.schemas.string() + " 10"));
  });
  auto const endpoint = endpoint_from(endpoint_file);

  typed_req client(ctx, keys.client, keys.server.public_part());
  client.connect(endpoint);
  auto reply = client.call(numbered_order(1), 3);
  REQUIRE_MESSAGE(reply.ok(), reply.reason());
  CHECK(*reply == order_ack{1, true, "py qty 1005"});
  auto refused = client.call(numbered_order(13), 3);  // refused by the service's rule
  CHECK(refused.status() == zg::call_status::refused_by_service);
  CHECK(refused.reason() == "python says no");
  auto app = client.call(numbered_order(14), 3);  // the service's typed error
  CHECK(app.status() == zg::call_status::application_error);
  CHECK(app.application_code() == 7);
  CHECK(app.reason() == "python cannot fill order 14");
  auto limited = client.call(numbered_order(15), 3);  // the service's rate limit
  CHECK(limited.status() == zg::call_status::rate_limited);
  CHECK(limited.retry_after() == 250ms);
  auto failed = client.call(numbered_order(16), 3);  // the handler raised
  CHECK(failed.status() == zg::call_status::refused_by_service);
  CHECK(failed.reason() == "handler failed");

  // Bytes a typed client cannot send: the Python service refuses them with
  // the reason and field our decoder gives.
  curve_req raw(ctx, keys.client, keys.server.public_part());
  raw.connect(endpoint);
  auto bad_side = zg::encode(sample_order());
  bad_side[22] = 9;  // direction
  auto zero_qty = zg::encode(sample_order());
  zero_qty[28] = 0;  // lines[0].qty
  auto const v2 = zg::encode(order_v2{5});
  for (auto const& bad : {bad_side, zero_qty, v2}) {
    auto const ours = zg::decode<order>(std::span<std::uint8_t const>(bad));
    REQUIRE(!ours.ok());
    auto answer = raw.call(zmq::const_buffer(bad.data(), bad.size()), 3);
    REQUIRE(answer);
    auto theirs = zg::decode<zg::refusal>(answer->data(), answer->size());
    REQUIRE(theirs.ok());
    CHECK(theirs->reason == std::uint8_t(ours.error().reason));
    CHECK(theirs->field.view() == ours.error().field);
  }
  CHECK(zg::decode<order>(std::span<std::uint8_t const>(zero_qty)).error().field == "lines[0].qty");
  // A request of two frames: refused as a typed C++ REP refuses it.
  zmq::context_t raw_ctx;
  auto two = raw_curve(raw_ctx, zmq::socket_type::req, keys.client, keys.server, 3000);
  two.connect(endpoint);
  auto const good = zg::encode(numbered_order(3));
  send_frames(two, std::vector<std::string>{std::string(good.begin(), good.end()), "more"});
  zmq::message_t answer;
  REQUIRE(two.recv(answer));
  auto const extra = zg::decode<zg::refusal>(answer.data(), answer.size());
  REQUIRE(extra.ok());
  CHECK(extra->reason == std::uint8_t(zg::decode_reason::trailing_bytes));
  CHECK(extra->field.view() == "extra frames");
  auto last = client.call(numbered_order(2), 3);
  REQUIRE_MESSAGE(last.ok(), last.reason());
  CHECK(last->id == 2);

  auto [rc, out] = python_peer.get();
  CHECK(rc == 0);
  CHECK(out == "served 10\n");
}

TEST_CASE_TEMPLATE("signed feeds with the Python module: it seals what we verify, it verifies what we seal", A,
                   zg::ed25519, zg::blake2b_mac) {
  python_session py;
  auto& curve = py.keys;
  auto& ctx = py.ctx;
  auto& dir = py.dir;
  std::array<std::uint8_t, 32> secret{};
  randombytes_buf(secret.data(), secret.size());
  signing_material<A> const mine{secret};
  auto const& key = mine.key;
  auto const keys = mine.verify_keys();

  SUBCASE("a Python publisher; our signed subscriber") {
    auto const endpoint_file = dir.path / "pub.endpoint";
    auto python_peer = std::async(std::launch::async, [&] {
      return run_command(peer("publish " + endpoint_file.string() + " " + curve.server_secret.string() + " " +
                              py.schemas.string() + " " + mine.name + " " + mine.secret_hex() + " test.tick 50"));
    });
    signed_sub<A> subscriber(ctx, curve.client, curve.server.public_part(), keys);
    subscriber.connect(endpoint_from(endpoint_file));
    std::vector<std::int64_t> prices;
    std::optional<std::uint64_t> epoch;
    auto const deadline = std::chrono::steady_clock::now() + 25s;
    while (prices.size() < 50 && std::chrono::steady_clock::now() < deadline)
      if (auto m = subscriber.template receive<tick>()) {
        CHECK(m->value.symbol.view() == "PY");
        CHECK(m->origin.key == key.id());
        CHECK(m->origin.sequence == m->value.seq + 2);  // after the stale and re-topiced ones
        if (!epoch) epoch = m->origin.epoch;
        CHECK(m->origin.epoch == *epoch);
        prices.push_back(m->value.price);
      }
    auto [rc, out] = python_peer.get();
    CHECK(rc == 0);
    CHECK(out == "published 50\n");
    REQUIRE(prices.size() == 50);
    for (std::size_t i = 0; i < 50; ++i) CHECK(prices[i] == std::int64_t(i + 1));
    // What the Python publisher sent to be dropped, dropped under its reason.
    CHECK(ctx.events().count("verify.unknown_key") == 1);
    CHECK(ctx.events().count("verify.stale") == 1);
    CHECK(ctx.events().count("verify.re_topiced") == 1);
    CHECK(ctx.events().count("verify.bad_signature") == 0);
  }
  SUBCASE("our signed publisher; a Python subscriber verifying with the module") {
    signed_pub<A> publisher(ctx, py.auth, curve.server, key);
    auto ep = publisher.bind("tcp://127.0.0.1:*");
    std::atomic<bool> done = false;
    auto feed = publish_ticks(publisher, done);
    auto [rc, out] = run_command(peer("subscribe " + ep.address + " " + curve.server_cert.string() + " " +
                                      curve.client_secret.string() + " " + py.schemas.string() + " " + mine.name + " " +
                                      mine.verify_hex() + " test.tick 30"));
    done = true;
    CHECK(rc == 0);
    CHECK(out.starts_with("verified 30 epoch "));
    CHECK(out.ends_with(" in order\nrejected 0\n"));
  }
}

TEST_CASE("our unsigned publisher and a Python subscriber decoding with the module (sockets.Subscription)") {
  python_session py;
  auto& curve = py.keys;
  plain_pub publisher(py.ctx, py.auth, curve.server);
  auto ep = publisher.bind("tcp://127.0.0.1:*");
  std::atomic<bool> done = false;
  auto feed = publish_ticks(publisher, done);
  auto [rc, out] = run_command(peer("subscribe " + ep.address + " " + curve.server_cert.string() + " " +
                                    curve.client_secret.string() + " " + py.schemas.string() + " none - test.tick 30"));
  done = true;
  CHECK(rc == 0);
  CHECK(out == "verified 30 epoch 0 in order\nrejected 0\n");
}

namespace {
// The documented vouch vectors' key, time and epoch (docs/wire-format.md,
// "Broker vouch").
struct vouch_vectors {
  std::array<std::uint8_t, 32> raw = [] {
    std::array<std::uint8_t, 32> r{};
    for (std::size_t i = 0; i < r.size(); ++i) r[i] = std::uint8_t(i);
    return r;
  }();
  zg::signing_key<zg::blake2b_mac> key = zg::signing_key<zg::blake2b_mac>::from_bytes(raw);
  std::string const id = "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7";
  std::uint64_t const ts = 1700000000000ull, epoch = 0x0102030405060708ull;
  std::vector<std::string> const hello{"hello"}, hello_world{"hello", "world"};
  std::string vouch(std::optional<zg::identity_kind> kind, std::string_view user, std::uint64_t seq,
                    std::vector<std::string> const& payload, std::uint64_t at = 0) const {
    return zg::detail::make_vouch(key, kind, user, at ? at : ts, epoch, seq, payload);
  }
};
}  // namespace

TEST_CASE("Python module and C++ vouch checker: the documented vectors, the same vouches, the same refusal reasons") {
  require_python();
  temp_dir dir;
  vouch_vectors const vv;
  auto const as_key = vv.vouch(zg::identity_kind::key, vv.id, 1, vv.hello);
  std::vector<std::vector<std::string>> requests;  // frames: the vouch, then the payload
  requests.push_back({as_key, "hello"});
  requests.push_back({vv.vouch(zg::identity_kind::user, vv.id, 1, vv.hello), "hello"});  // same run and sequence
  requests.push_back({vv.vouch(std::nullopt, "", 2, vv.hello_world), "hello", "world"});
  requests.push_back({vv.vouch(zg::identity_kind::user, vv.id, 3, vv.hello), "hello"});
  for (std::size_t i = 0; i < as_key.size(); ++i) {  // every byte changed
    auto t = as_key;
    t[i] = char(t[i] ^ 0x01);
    requests.push_back({t, "hello"});
  }
  for (std::size_t n = 0; n < as_key.size(); ++n) requests.push_back({as_key.substr(0, n), "hello"});  // every cut
  requests.push_back({as_key + "x", "hello"});
  requests.push_back({as_key, "hellO"});                 // moved onto another payload
  requests.push_back({as_key, "hello", "world"});        // a frame added
  requests.push_back({as_key});                          // no payload
  requests.push_back({vv.vouch(zg::identity_kind::key, vv.id, 4, vv.hello, vv.ts - 10001), "hello"});  // stale
  requests.push_back({vv.vouch(zg::identity_kind::key, vv.id, 5, vv.hello, vv.ts + 10001), "hello"});
  requests.push_back({vv.vouch(zg::identity_kind::key, vv.id, 6, vv.hello, vv.ts - 9999), "hello"});   // fresh
  auto const stranger = zg::signing_key<zg::blake2b_mac>::generate();
  requests.push_back({zg::detail::make_vouch(stranger, zg::identity_kind::key, vv.id, vv.ts, 9, 1, vv.hello), "hello"});
  // The replay window (1024): a run, then late, repeated and too old ones.
  std::vector<std::string> run;
  for (std::uint64_t i = 0; i < 2100; ++i) run.push_back(vv.vouch(zg::identity_kind::user, "u", 100 + i, vv.hello));
  for (int i : {1999, 999, 999, 975, 1500, 1500, 2099, 2050, 0}) requests.push_back({run[std::size_t(i)], "hello"});

  zg::verify_keys<zg::blake2b_mac> keys;
  keys.add(vv.key);
  zg::detail::vouch_checker<10000> checker(keys);
  std::string input, expected;
  for (auto const& r : requests) {
    std::vector<zmq::message_t> frames;
    for (auto const& f : r) {
      frames.emplace_back(f.data(), f.size());
      input += (f.empty() ? std::string(".") : to_hex(f)) + " ";
    }
    input.back() = '\n';
    auto const o = checker.check(frames, vv.ts);
    expected += o.refused ? std::string(zg::to_string(*o.refused)) + "\n"
                          : "ok " + std::string(o.kind ? zg::to_string(*o.kind) : "none") + " " +
                                (o.user_id.empty() ? "-" : o.user_id) + "\n";
  }
  CHECK(expected.starts_with("ok key " + vv.id + "\nreplay\nok none -\nok user " + vv.id + "\n"));
  for (auto reason : {"\nmissing\n", "\nmalformed\n", "\nunknown_key\n", "\nbad_mac\n", "\nstale\n", "\nreplay\n"})
    CHECK_MESSAGE(expected.find(reason) != std::string::npos, reason);
  write_file(dir.path / "vouches.txt", input);
  auto [rc, out] = run_command(peer("vouches " + to_hex(vv.raw) + " " + std::to_string(vv.ts) + " " +
                                    (dir.path / "vouches.txt").string()));
  REQUIRE(rc == 0);
  check_lines(out, expected, "request");
  // The documented vectors, as the C++ test of them made them.
  auto const doc = read_file(std::filesystem::path(ZGUARD_SOURCE_DIR) / "docs" / "wire-format.md");
  for (std::size_t i : {0, 1, 2}) CHECK(doc.find(to_hex(requests[i][0])) != std::string::npos);
}

TEST_CASE("a C++ vouching queue in front of a Python worker: it names each client, and refuses tampered and replayed vouches with the C++ reasons") {
  python_session py;
  auto& ctx = py.ctx;
  auto const bob = zg::keypair::generate();
  py.auth.allow(bob.public_part());
  std::array<std::uint8_t, 32> secret{};
  randombytes_buf(secret.data(), secret.size());
  auto const shared = zg::signing_key<zg::blake2b_mac>::from_bytes(secret);

  // The Python worker binds; the queue's back and the attacker connect.
  std::string const worker_ep = "ipc://" + (py.dir.path / "worker.sock").string();
  auto const bound_file = py.dir.path / "worker.endpoint", frames_file = py.dir.path / "accepted.txt";
  auto python_peer = std::async(std::launch::async, [&] {
    return run_command(peer("vouch_worker " + worker_ep + " " + bound_file.string() + " " + to_hex(secret) + " " +
                            py.schemas.string() + " 14 " + frames_file.string()));
  });
  REQUIRE(endpoint_from(bound_file) == worker_ep);

  vouch_front front(ctx, py.auth, py.keys.server);
  vouch_back back(ctx);
  auto const front_ep = front.bind("tcp://127.0.0.1:*");
  back.connect(worker_ep);
  vouching_queue queue(ctx, front, back, shared);
  typed_req alice_client(ctx, py.keys.client, py.keys.server.public_part());
  typed_req bob_client(ctx, bob, py.keys.server.public_part());
  alice_client.connect(front_ep);
  bob_client.connect(front_ep);
  auto const alice_id = py.keys.client.public_part().z85(), bob_id = bob.public_part().z85();
  auto expect_served = [](typed_req& c, std::uint64_t id, std::string const& who) {
    auto reply = c.call(numbered_order(id), 3);
    REQUIRE_MESSAGE(reply.ok(), reply.reason());
    CHECK(reply->id == id);
    CHECK(reply->note.view() == "py key " + who.substr(0, 24));  // the note holds 32 bytes
  };
  expect_served(alice_client, 1, alice_id);
  expect_served(bob_client, 2, bob_id);
  expect_served(alice_client, 3, alice_id);

  // What the worker accepted: the queue's genuine vouches and payloads.
  std::vector<std::vector<std::string>> accepted;
  std::istringstream lines(read_file(frames_file));
  for (std::string l; std::getline(lines, l);) {
    std::istringstream parts(l);
    std::vector<std::string> frames;
    for (std::string h; parts >> h;) frames.push_back(string_from_hex(h));
    accepted.push_back(frames);
  }
  REQUIRE(accepted.size() == 3);
  auto const& genuine = accepted[0];  // alice's first request, as the queue vouched for it
  REQUIRE(genuine.size() == 2);
  CHECK(genuine[0].substr(40, 40) == alice_id);

  // An attacker on the worker's back side.
  zmq::context_t raw;
  zmq::socket_t attacker(raw, zmq::socket_type::dealer);
  attacker.set(zmq::sockopt::linger, 0);
  attacker.set(zmq::sockopt::rcvtimeo, 5000);
  attacker.connect(worker_ep);
  CHECK(inject(attacker, genuine) == "vouch: replay");  // sniffed and sent again
  auto tampered = genuine[0];
  tampered.back() = char(tampered.back() ^ 1);  // its MAC
  CHECK(inject(attacker, {tampered, genuine[1]}) == "vouch: bad_mac");
  auto renamed = genuine[0];
  renamed.replace(40, 40, bob_id);  // bob's key for alice's
  CHECK(inject(attacker, {renamed, genuine[1]}) == "vouch: bad_mac");
  auto rekinded = genuine[0];
  rekinded[37] = 2;  // the key's text as a PLAIN user
  CHECK(inject(attacker, {rekinded, genuine[1]}) == "vouch: bad_mac");
  auto const other = zg::encode(numbered_order(900));
  CHECK(inject(attacker, {genuine[0], std::string(other.begin(), other.end())}) == "vouch: bad_mac");  // moved
  CHECK(inject(attacker, {genuine[1]}) == "vouch: missing");
  auto future_version = genuine[0];
  future_version[3] = 9;
  CHECK(inject(attacker, {future_version, genuine[1]}) == "vouch: malformed");
  std::vector<std::string> const payload{genuine[1]};
  CHECK(inject(attacker, {zg::detail::make_vouch(shared, zg::identity_kind::key, alice_id,
                                                 zg::detail::vouch_now_ms() - 60'000, 77, 1, payload),
                          genuine[1]}) == "vouch: stale");
  CHECK(inject(attacker, {zg::detail::make_vouch(zg::signing_key<zg::blake2b_mac>::generate(), zg::identity_kind::key,
                                                 alice_id, zg::detail::vouch_now_ms(), 77, 2, payload),
                          genuine[1]}) == "vouch: unknown_key");

  // The worker kept serving the queue's clients, each under its own key.
  expect_served(bob_client, 4, bob_id);
  // A C++ caller's correlated request: the vouch covers its call id too (the
  // module checked it after taking the id off, and refused it as bad_mac).
  using vouch_dealer = zg::socket<test_domain, zg::tcp, zg::dealer, zg::curve_client, rr_limits, order_service>;
  vouch_dealer dealer(ctx, bob, py.keys.server.public_part());
  dealer.connect(front_ep);
  zg::caller<vouch_dealer> calls(dealer);
  auto correlated_call = calls.call(numbered_order(5), std::chrono::seconds(10));
  calls.run_until_idle(std::chrono::seconds(15));
  auto const answer = correlated_call.get();
  REQUIRE_MESSAGE(answer.ok(), answer.reason());
  CHECK(answer->id == 5);
  CHECK(answer->note.view() == "py key " + bob_id.substr(0, 24));
  auto [rc, out] = python_peer.get();
  CHECK(rc == 0);
  CHECK(out == "served 14\n");
  queue.terminate();
}
