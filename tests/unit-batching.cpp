// Batches (batched<N, Ms>, docs/wire-format.md "Batches"): the documented
// vector on the wire both ways; framing checked whole (every cut length,
// every bad count and length) with the socket serving on; a bad message in
// a batch refused alone; batches flushed when full, when due, on flush()
// and when the sender goes; a CURVE stream in order; signed batches (one
// signature, each message its place) with replayed, cut and re-ordered
// batches refused; PyNaCl peers both ways. And a flood of refused messages
// cannot hold receive() past recv_timeout_ms.
#include "schemas.hpp"
#include "support.hpp"

#include <atomic>
#include <fstream>
#include <future>
#include <sstream>
#include <stop_token>
#include <thread>

using namespace zguard_test;
using namespace std::chrono_literals;

namespace {

// linger: what a batched sender sends as it goes must still leave.
using batch_limits = zg::limits<zg::send_hwm<1000>, zg::recv_hwm<1000>, zg::block_when_full,
                                zg::max_message_size<65536>, zg::linger_ms<2000>, zg::send_timeout_ms<1000>,
                                zg::recv_timeout_ms<300>, zg::handshake_timeout_ms<2000>>;
using feed_limits = zg::limits<zg::send_hwm<1000>, zg::recv_hwm<1000>, zg::drop_when_full, zg::max_message_size<65536>,
                               zg::linger_ms<0>, zg::send_timeout_ms<100>, zg::recv_timeout_ms<200>,
                               zg::handshake_timeout_ms<2000>>;

template <int N, int Ms = 1000>
using batched_push = zg::socket<test_domain, zg::ipc, zg::push, zg::null_mechanism, batch_limits, zg::stream<tick>,
                                zg::batched<N, Ms>>;
template <int N, int Ms = 1000>
using batched_pull = zg::socket<test_domain, zg::ipc, zg::pull, zg::null_mechanism, batch_limits, zg::stream<tick>,
                                zg::batched<N, Ms>>;
using plain_pull = zg::socket<test_domain, zg::ipc, zg::pull, zg::null_mechanism, batch_limits, zg::stream<tick>>;
template <int N, int GapUs>
using coalesced_push = zg::socket<test_domain, zg::ipc, zg::push, zg::null_mechanism, batch_limits, zg::stream<tick>,
                                  zg::coalesced<N, GapUs>>;

// docs/wire-format.md, "Batches": tick{"EURUSD", -1, 3} and tick{"AB", 7, 4}.
constexpr std::string_view batch_vector =
    "810200"
    "20000000" "0109746573742e7469636b010006455552555344ffffffffffffffff03000000"
    "1c000000" "0109746573742e7469636b0100024142070000000000000004000000";


zmq::socket_t raw_socket(zmq::context_t& raw, zmq::socket_type type) {
  zmq::socket_t s(raw, type);
  s.set(zmq::sockopt::linger, 0);
  s.set(zmq::sockopt::rcvtimeo, 2000);
  s.set(zmq::sockopt::sndtimeo, 2000);
  return s;
}

std::vector<std::uint32_t> seqs_until(auto& sock, std::size_t n, std::chrono::seconds limit = 10s) {
  std::vector<std::uint32_t> got;
  auto const deadline = std::chrono::steady_clock::now() + limit;
  while (got.size() < n && std::chrono::steady_clock::now() < deadline)
    if (auto m = sock.receive()) got.push_back(m->value.seq);
  return got;
}

std::vector<std::uint32_t> one_to(std::uint32_t n) {
  std::vector<std::uint32_t> v(n);
  for (std::uint32_t i = 0; i < n; ++i) v[i] = i + 1;
  return v;
}

}  // namespace

TEST_CASE("batches: the documented vector is what a batched PUSH sends, and what a batched PULL reads") {
  temp_dir dir;
  zg::context<test_domain> ctx;
  zmq::context_t raw;
  SUBCASE("ours to a raw PULL") {
    auto pull = raw_socket(raw, zmq::socket_type::pull);
    auto const path = "ipc://" + (dir.path / "raw.sock").string();
    pull.bind(path);
    batched_push<4> push(ctx);
    push.connect(path);
    CHECK(push.send(tick{"EURUSD", -1, 3}));
    CHECK(push.send(tick{"AB", 7, 4}));
    CHECK(push.waiting() == 2);
    CHECK(push.flush());
    CHECK(push.waiting() == 0);
    zmq::message_t got;
    REQUIRE(pull.recv(got));
    CHECK(!got.more());
    CHECK(to_hex(zg::detail::bytes_of(got)) == batch_vector);
  }
  SUBCASE("a raw PUSH to ours") {
    batched_pull<4> pull(ctx);
    auto ep = pull.bind("ipc://" + (dir.path / "ours.sock").string());
    auto push = raw_socket(raw, zmq::socket_type::push);
    push.connect(ep.address);
    auto const bytes = from_hex(batch_vector);
    REQUIRE(push.send(zmq::buffer(bytes)));
    auto a = pull.receive(), b = pull.receive();
    REQUIRE(a);
    REQUIRE(b);
    CHECK(a->value == tick{"EURUSD", -1, 3});
    CHECK(b->value == tick{"AB", 7, 4});
  }
}

TEST_CASE("batches: the vector is the one in docs/wire-format.md") {
  std::ifstream doc(std::filesystem::path(ZGUARD_SOURCE_DIR) / "docs" / "wire-format.md");
  std::stringstream text;
  text << doc.rdbuf();
  // Shown there on three lines: header, then each length and message.
  std::string const shown = std::string(batch_vector.substr(0, 6)) + "\n    " + std::string(batch_vector.substr(6, 8)) +
                            " " + std::string(batch_vector.substr(14, 64)) + "\n    " +
                            std::string(batch_vector.substr(78, 8)) + " " + std::string(batch_vector.substr(86));
  CHECK_MESSAGE(text.str().find(shown) != std::string::npos, "the batch vector is not in docs/wire-format.md");
}

TEST_CASE("batches: the framing is checked whole, every cut and every bad count or length is refused") {
  auto const good = from_hex(batch_vector);
  std::size_t const max_item = zg::max_encoded_size<tick>;
  REQUIRE(!zg::detail::check_batch(good, 4, max_item));
  for (std::size_t n = 0; n < good.size(); ++n)
    CHECK_MESSAGE(zg::detail::check_batch(std::span(good).first(n), 4, max_item), "cut at ", n);
  auto mutated = [&](std::size_t at, std::uint8_t value) {
    auto b = good;
    b[at] = value;
    return zg::detail::check_batch(b, 4, max_item);
  };
  CHECK(mutated(0, 0x01)->reason == zg::decode_reason::unsupported_format);  // a lone schema message
  CHECK(mutated(1, 0x00)->field == "batch.count");                         // 0 messages
  CHECK(mutated(1, 0x05)->reason == zg::decode_reason::length_over_bound);  // over the receiver's N
  CHECK(mutated(2, 0x01)->field == "batch.count");                         // 258 messages
  CHECK(mutated(3, 0x00)->reason == zg::decode_reason::length_over_bound);  // an item of 0 bytes
  CHECK(mutated(6, 0x01)->field == "batch[0]");                            // an item over the schema's largest
  CHECK(mutated(3 + 4 + 32, 0x1d)->reason == zg::decode_reason::truncated); // the last item runs past the end
  auto longer = good;
  longer.push_back(0);
  CHECK(zg::detail::check_batch(longer, 4, max_item)->reason == zg::decode_reason::trailing_bytes);
  // The receiver's N bounds the count: the same batch is too many for N = 1.
  CHECK(zg::detail::check_batch(good, 1, max_item)->field == "batch.count");
}

TEST_CASE("batches: bad frames and a bad message in a batch are refused alone, the socket serves on") {
  temp_dir dir;
  captured_events seen;
  zg::context<test_domain> ctx(seen.sink());
  zmq::context_t raw;
  batched_pull<4> pull(ctx);
  auto ep = pull.bind("ipc://" + (dir.path / "pull.sock").string());
  auto push = raw_socket(raw, zmq::socket_type::push);
  push.connect(ep.address);

  auto const good = from_hex(batch_vector);
  auto cut = std::vector<std::uint8_t>(good.begin(), good.end() - 1);
  auto lone = zg::encode(tick{"L", 1, 1});
  // Three messages, the second of another schema (decodes as wrong_schema).
  auto item = [](std::vector<std::uint8_t> const& m) {
    std::vector<std::uint8_t> out(4);
    for (int i = 0; i < 4; ++i) out[i] = std::uint8_t(m.size() >> (8 * i));
    out.insert(out.end(), m.begin(), m.end());
    return out;
  };
  std::vector<std::uint8_t> mixed{0x81, 0x03, 0x00};
  for (auto const& m : {zg::encode(tick{"M", 1, 10}), zg::encode(order_ack{1, true, "x"}), zg::encode(tick{"M", 3, 12})}) {
    auto const i = item(m);
    mixed.insert(mixed.end(), i.begin(), i.end());
  }
  for (auto const* frame : std::array<std::vector<std::uint8_t> const*, 4>{&cut, &lone, &mixed, &good})
    REQUIRE(push.send(zmq::buffer(*frame)));

  std::vector<std::uint32_t> seqs;
  auto const deadline = std::chrono::steady_clock::now() + 10s;
  while (seqs.size() < 4 && std::chrono::steady_clock::now() < deadline)
    if (auto m = pull.receive()) seqs.push_back(m->value.seq);
  CHECK(seqs == std::vector<std::uint32_t>{10, 12, 3, 4});
  auto refused = seen.named("message.refused");
  REQUIRE(refused.size() == 3);
  CHECK(refused[0].field("reason") == "truncated");
  CHECK(refused[0].field("field") == "batch[1]");
  CHECK(refused[1].field("reason") == "unsupported_format");  // a lone message on a batched socket
  CHECK(refused[1].field("field") == "batch");
  CHECK(refused[2].field("reason") == "wrong_schema");
  CHECK(refused[2].field("field") == "batch[1]");
}

TEST_CASE("batches: an unbatched receiver refuses a batch as an unknown format") {
  temp_dir dir;
  captured_events seen;
  zg::context<test_domain> ctx(seen.sink());
  plain_pull pull(ctx);
  auto ep = pull.bind("ipc://" + (dir.path / "plain.sock").string());
  batched_push<4> push(ctx);
  push.connect(ep);
  CHECK(push.send(tick{"A", 1, 1}));
  CHECK(push.flush());
  CHECK(!pull.receive());
  REQUIRE(eventually([&] { return seen.named("message.refused").size() == 1; }));
  CHECK(seen.named("message.refused")[0].field("reason") == "unsupported_format");
}

TEST_CASE("batches: sent when full, when the oldest has waited max_delay, on flush and when the sender goes") {
  temp_dir dir;
  zg::context<test_domain> ctx;
  batched_pull<8> pull(ctx);
  auto ep = pull.bind("ipc://" + (dir.path / "pull.sock").string());
  std::uint32_t seq = 0;
  {
    batched_push<8, 20> push(ctx);
    push.connect(ep);
    for (int i = 0; i < 8; ++i) CHECK(push.send(tick{"F", 0, ++seq}));
    CHECK(push.waiting() == 0);  // full: sent with the eighth
    CHECK(!push.flush_due_at());
    CHECK(seqs_until(pull, 8) == one_to(8));

    auto const before = std::chrono::steady_clock::now();
    for (int i = 0; i < 3; ++i) CHECK(push.send(tick{"D", 0, ++seq}));
    CHECK(push.waiting() == 3);
    REQUIRE(push.flush_due_at());
    auto const due = *push.flush_due_at();
    CHECK(due >= before + 20ms);
    // flush_if_due() sends only once the oldest has waited 20 ms.
    CHECK(push.flush_if_due());
    if (std::chrono::steady_clock::now() < due) CHECK(push.waiting() == 3);
    CHECK(eventually([&] { return push.flush_if_due() && push.waiting() == 0; }, 2000ms));
    CHECK(seqs_until(pull, 3) == std::vector<std::uint32_t>{9, 10, 11});

    // A send after the delay takes the waiting ones with it.
    CHECK(push.send(tick{"S", 0, ++seq}));
    std::this_thread::sleep_for(25ms);
    CHECK(push.send(tick{"S", 0, ++seq}));
    CHECK(push.waiting() == 0);
    CHECK(seqs_until(pull, 2) == std::vector<std::uint32_t>{12, 13});

    CHECK(push.send(tick{"G", 0, ++seq}));
    CHECK(push.send(tick{"G", 0, ++seq}));
    CHECK(push.waiting() == 2);
  }  // the sender goes: what waits is sent
  CHECK(seqs_until(pull, 2) == std::vector<std::uint32_t>{14, 15});
}

// The count a batch frame says it holds (docs/wire-format.md, "Batches").
std::size_t batch_count(zmq::message_t const& frame) {
  auto const b = zg::detail::bytes_of(frame);
  REQUIRE(b.size() >= 3);
  REQUIRE(b[0] == 0x81);
  return std::size_t(b[1]) | std::size_t(b[2]) << 8;
}

TEST_CASE("coalesced: an idle sender's message leaves at once, under load one frame a gap or when N wait") {
  temp_dir dir;
  zg::context<test_domain> ctx;
  zmq::context_t raw;
  auto pull = raw_socket(raw, zmq::socket_type::pull);
  auto const path = "ipc://" + (dir.path / "raw.sock").string();
  pull.bind(path);
  constexpr auto gap = 200ms;  // far longer than the few sends between two checks take
  coalesced_push<8, 200'000> push(ctx);
  CHECK(push.profile().find("; coalesced=8 (gap_us=200000)") != std::string::npos);
  push.connect(path);
  zmq::message_t got;

  // Idle (no frame yet): sent with the call, alone in its batch; nothing waits.
  auto const first_sent = std::chrono::steady_clock::now();
  CHECK(push.send(tick{"A", 0, 1}));
  CHECK(push.waiting() == 0);
  CHECK(!push.flush_due_at());
  REQUIRE(pull.recv(got));
  CHECK(batch_count(got) == 1);
  auto const first_left = std::chrono::steady_clock::now();

  // Sent within the gap after that frame: they wait for it, together.
  for (std::uint32_t i = 2; i <= 4; ++i) CHECK(push.send(tick{"B", 0, i}));
  CHECK(push.waiting() == 3);
  REQUIRE(push.flush_due_at());
  CHECK(*push.flush_due_at() >= first_sent + gap);  // the gap counts from the frame, not from these
  CHECK(*push.flush_due_at() <= first_left + gap);
  CHECK(push.flush_if_due());
  if (std::chrono::steady_clock::now() < *push.flush_due_at()) CHECK(push.waiting() == 3);
  CHECK(eventually([&] { return push.flush_if_due() && push.waiting() == 0; }, 2000ms));
  REQUIRE(pull.recv(got));
  CHECK(batch_count(got) == 3);

  // N waiting go out at once, however recent the last frame.
  for (std::uint32_t i = 5; i <= 12; ++i) CHECK(push.send(tick{"C", 0, i}));
  CHECK(push.waiting() == 0);
  REQUIRE(pull.recv(got));
  CHECK(batch_count(got) == 8);

  // A send once the gap has passed takes what waits with it, in one frame.
  CHECK(push.send(tick{"D", 0, 13}));
  CHECK(push.waiting() == 1);
  std::this_thread::sleep_for(gap + 10ms);
  CHECK(push.send(tick{"D", 0, 14}));
  CHECK(push.waiting() == 0);
  REQUIRE(pull.recv(got));
  CHECK(batch_count(got) == 2);
}

// The sender batched, or coalesced (the same batches, sent when due); the receiver batched.
TEST_CASE_TEMPLATE("batches: a CURVE stream over tcp delivers 10000 messages in order to a batched receiver", Sending,
                   zg::batched<64, 5>, zg::coalesced<64, 100>) {
  curve_pair p;
  p.auth.allow(p.client_keys.public_part());
  using pull_t = zg::socket<test_domain, zg::tcp, zg::pull, zg::curve_server, batch_limits, zg::stream<tick>,
                            zg::batched<64, 5>>;
  using push_t = zg::socket<test_domain, zg::tcp, zg::push, zg::curve_client, batch_limits, zg::stream<tick>, Sending>;
  pull_t pull(p.ctx, p.auth, p.server_keys);
  auto ep = pull.bind("tcp://127.0.0.1:*");
  push_t push(p.ctx, p.client_keys, p.server_keys.public_part());
  push.connect(ep);
  constexpr std::uint32_t n = 10000;
  std::jthread sender([&] {
    for (std::uint32_t i = 1; i <= n; ++i) (void)push.send(tick{"C", i, i});
    (void)push.flush();
  });
  auto got = seqs_until(pull, n, 30s);
  sender.join();
  CHECK(got == one_to(n));
  REQUIRE(eventually([&] { return !pull.receive(); }, 1000ms));  // nothing more, nothing twice
}

TEST_CASE("receive(): a stream of refused messages does not hold the caller past recv_timeout_ms") {
  temp_dir dir;
  zg::context<test_domain> ctx;
  zmq::context_t raw;
  plain_pull pull(ctx);  // recv_timeout_ms<300>
  auto ep = pull.bind("ipc://" + (dir.path / "flood.sock").string());
  auto push = raw_socket(raw, zmq::socket_type::push);
  push.connect(ep.address);
  // Well-framed frames that never decode, for up to 20 s or until receive() returned.
  auto const junk = zg::encode(order_ack{1, true, "not a tick"});
  std::atomic<bool> returned = false, flooding = true;
  std::jthread flood([&] {
    auto const deadline = std::chrono::steady_clock::now() + 20s;
    while (!returned && std::chrono::steady_clock::now() < deadline) {
      (void)push.send(zmq::buffer(junk), zmq::send_flags::dontwait);
      std::this_thread::sleep_for(1ms);
    }
    flooding = false;
  });
  REQUIRE(zg::poll(5000ms, pull)[0]);
  CHECK(!pull.receive());
  bool const still_flooding = flooding;
  returned = true;
  flood.join();
  CHECK(still_flooding);  // it returned while refused messages kept coming
}

// --- signed batches ---------------------------------------------------------------

namespace {

using tick_topic = zg::topic<"test.tick", tick>;
template <class A>
using signed_batch_pub = zg::socket<test_domain, zg::ipc, zg::pub, zg::null_mechanism, feed_limits, tick_topic,
                                    zg::signing<A>, zg::batched<16, 1000>>;
template <class A>
using signed_batch_sub = zg::socket<test_domain, zg::ipc, zg::sub, zg::null_mechanism, feed_limits, tick_topic,
                                    zg::signing<A>, zg::batched<16, 1000>>;

template <class A>
auto make_key() {
  return zg::signing_key<A>::generate();
}
template <class A>
auto verifying(zg::signing_key<A> const& k) {
  if constexpr (std::is_same_v<A, zg::ed25519>) return k.verify_part();
  else return k;
}

std::vector<zmq::message_t> recv_all(zmq::socket_t& s) {
  std::vector<zmq::message_t> msgs;
  (void)zmq::recv_multipart(s, std::back_inserter(msgs));
  return msgs;
}

}  // namespace

TEST_CASE_TEMPLATE("signed batches: sealed where the batch was built, the same bytes as seal() of a copy", A,
                   zg::ed25519, zg::blake2b_mac) {
  auto const key = make_key<A>();
  auto const when = std::chrono::system_clock::time_point(std::chrono::microseconds(1700000000000000));
  // Two signers of one key and epoch, in step: the same sequence numbers.
  zg::signer<A> in_place(key, zg::detail::fixed_epoch{42}), copied(key, zg::detail::fixed_epoch{42});
  // What a batched sender builds: the room before and after, the batch between.
  auto check = [&](std::string_view topic, auto& batch) {
    for (std::uint32_t n = 1; n <= 4; ++n) {
      batch.clear();
      for (std::uint32_t i = 0; i < n; ++i) batch.add(tick{"EURUSD", -1, i}, {});
      std::vector<std::uint8_t> const payload(batch.bytes().begin(), batch.bytes().end());
      auto const a = in_place.seal_in_place(topic, batch.with_room(), when);
      auto const b = copied.seal(topic, payload, when);
      CHECK(to_hex(zg::detail::bytes_of(a)) == to_hex(zg::detail::bytes_of(b)));
      // The batch is still in place (a failed send keeps it for the next flush).
      CHECK(std::equal(payload.begin(), payload.end(), batch.bytes().begin(), batch.bytes().end()));
    }
  };
  zg::detail::batch_builder<tick, 4, zg::signer<A>::room_before(""), zg::signer<A>::room_after> stream_batch;
  check("", stream_batch);
  zg::detail::batch_builder<tick, 4, zg::signer<A>::room_before("test.tick"), zg::signer<A>::room_after> topic_batch;
  check("test.tick", topic_batch);
  // No room, or a topic over 255 bytes: refused before a sequence number is used.
  std::vector<std::uint8_t> small(zg::signer<A>::room_before("t") + zg::signer<A>::room_after - 1);
  CHECK_THROWS_AS(in_place.seal_in_place("t", small), std::length_error);
  std::string const long_topic(256, 't');
  std::vector<std::uint8_t> room(zg::signer<A>::room_before(long_topic) + zg::signer<A>::room_after);
  CHECK_THROWS_AS(in_place.seal_in_place(long_topic, room), std::length_error);
  std::vector<std::uint8_t> empty_payload(zg::signer<A>::room_before("t") + zg::signer<A>::room_after);
  CHECK(to_hex(zg::detail::bytes_of(in_place.seal_in_place("t", empty_payload, when))) ==
        to_hex(zg::detail::bytes_of(copied.seal("t", {}, when))));
}

TEST_CASE("batches: a builder takes at most N messages, each within its schema's bound") {
  zg::detail::batch_builder<tick, 2> b;
  b.add(tick{"A", 1, 1}, {});
  b.add(tick{"B", 2, 2}, {});
  CHECK(b.full());
  CHECK_THROWS_AS(b.add(tick{"C", 3, 3}, {}), std::length_error);
  CHECK(b.count() == 2);
  CHECK(!zg::detail::check_batch(b.bytes(), 2, zg::max_encoded_size<tick>));
}

TEST_CASE_TEMPLATE("signed batches: one signature a batch, each message its place, replayed, cut and re-ordered "
                   "batches refused",
                   A, zg::ed25519, zg::blake2b_mac) {
  temp_dir dir;
  captured_events seen;
  zg::context<test_domain> ctx(seen.sink());
  auto key = make_key<A>();
  zg::verify_keys<A> keys;
  keys.add(verifying<A>(key));
  signed_batch_sub<A> sub(ctx, keys);
  auto ep = sub.bind("ipc://" + (dir.path / "feed.sock").string());
  zmq::context_t raw;
  auto tap = raw_socket(raw, zmq::socket_type::sub), attacker = raw_socket(raw, zmq::socket_type::xpub);
  auto const tap_path = "ipc://" + (dir.path / "tap.sock").string();
  tap.set(zmq::sockopt::subscribe, "test.tick");
  tap.bind(tap_path);
  signed_batch_pub<A> pub(ctx, key);
  pub.connect(ep);
  pub.connect(tap_path);
  attacker.connect(ep.address);

  // Warm-up batches until both the subscriber and the tap get them (slow joiner).
  std::uint32_t seq = 0;
  bool sub_joined = false, tap_joined = false;
  REQUIRE(eventually([&] {
    for (int i = 0; i < 16; ++i) (void)pub.send(tick{"W", 0, ++seq});
    sub_joined = sub_joined || sub.receive().has_value();
    tap_joined = tap_joined || !recv_all(tap).empty();
    return sub_joined && tap_joined;
  }));
  while (sub.receive()) {
  }
  zmq::message_t subscription;  // the SUB (busy receiving above) has sent its subscription to the attacker too
  REQUIRE(attacker.recv(subscription));

  // One full batch: 16 messages, one envelope.
  std::uint32_t const first = seq + 1;
  for (int i = 0; i < 16; ++i) (void)pub.send(tick{"B", 0, ++seq});
  std::vector<zg::verified<tick>> got;
  auto const deadline = std::chrono::steady_clock::now() + 10s;
  while (got.size() < 16 && std::chrono::steady_clock::now() < deadline)
    if (auto m = sub.receive()) got.push_back(*m);
  REQUIRE(got.size() == 16);
  CHECK(signed_batch_sub<A>::profile().find("; batched=16 (max_delay_ms=1000)") != std::string::npos);
  for (std::uint16_t i = 0; i < 16; ++i) {
    CHECK(got[i].value.seq == first + i);
    CHECK(got[i].origin.batch_index == i);
    CHECK(got[i].origin.sequence == got[0].origin.sequence);  // one envelope
    CHECK(got[i].origin.key == key.id());
  }
  // The tap's copy of that envelope (its sequence number at offset 18).
  std::vector<zmq::message_t> recorded;
  for (int i = 0; i < 100; ++i) {
    recorded = recv_all(tap);
    if (recorded.size() == 2 && recorded[1].size() > 26 &&
        zg::detail::get_u64(static_cast<std::uint8_t const*>(recorded[1].data()) + 18) == got[0].origin.sequence)
      break;
  }
  REQUIRE(recorded.size() == 2);
  REQUIRE(zg::detail::get_u64(static_cast<std::uint8_t const*>(recorded[1].data()) + 18) == got[0].origin.sequence);
  auto const sealed = zg::detail::bytes_of(recorded[1]);
  auto frames = [&](std::vector<std::uint8_t> const& body) {
    std::vector<zmq::message_t> f;
    f.emplace_back(recorded[0].data(), recorded[0].size());
    f.emplace_back(body.data(), body.size());
    return f;
  };
  std::vector<std::uint8_t> const whole(sealed.begin(), sealed.end());
  // Replayed whole.
  send_frames(attacker, frames(whole));
  // The last message cut off (count lowered to 15 and the frame shortened): the signature no longer covers it.
  std::size_t const header = 35 + 9, signature = A::signature_size;
  auto cut = whole;
  cut[header + 1] = 15;
  std::size_t const last_item = 4 + zg::encode(tick{"B", 0, 0}).size();
  cut.erase(cut.end() - std::ptrdiff_t(signature + last_item), cut.end() - std::ptrdiff_t(signature));
  send_frames(attacker, frames(cut));
  // The first two messages swapped (same sizes): the signature covers the order.
  auto swapped = whole;
  std::swap_ranges(swapped.begin() + std::ptrdiff_t(header + 3), swapped.begin() + std::ptrdiff_t(header + 3 + last_item),
                   swapped.begin() + std::ptrdiff_t(header + 3 + last_item));
  send_frames(attacker, frames(swapped));
  CHECK(eventually([&] {
    if (sub.receive()) FAIL("an attacker's batch was delivered");
    return ctx.events().count("verify.replay") == 1 && ctx.events().count("verify.bad_signature") == 2;
  }));
  // The feed goes on.
  for (int i = 0; i < 16; ++i) (void)pub.send(tick{"A", 0, ++seq});
  auto after = seqs_until(sub, 16);
  REQUIRE(after.size() == 16);
  CHECK(after.front() == seq - 15);
}

TEST_CASE_TEMPLATE("signed batches with PyNaCl peers written from docs/wire-format.md, both ways", A, zg::ed25519,
                   zg::blake2b_mac) {
  temp_dir dir;
  zg::context<test_domain> ctx;
  std::array<std::uint8_t, 32> secret{};
  randombytes_buf(secret.data(), secret.size());
  auto key = [&] {
    if constexpr (std::is_same_v<A, zg::ed25519>) return zg::signing_key<zg::ed25519>::from_seed(secret);
    else return zg::signing_key<zg::blake2b_mac>::from_bytes(secret);
  }();
  std::string const alg = std::is_same_v<A, zg::ed25519> ? "ed25519" : "blake2b";
  std::string const verify_hex = [&] {
    if constexpr (std::is_same_v<A, zg::ed25519>) return to_hex(std::span<std::uint8_t const>(key.verify_part().data(), 32));
    else return to_hex(secret);
  }();
  zg::verify_keys<A> keys;
  keys.add(verifying<A>(key));
  std::string const python = python_script("signed_peer.py ");

  SUBCASE("a PyNaCl publisher packs 10 a batch; our subscriber unpacks") {
    auto const path = "ipc://" + (dir.path / "py.sock").string();
    auto python_pub = std::async(std::launch::async, [&] {
      return run_command(python + "publish " + path + " " + alg + " " + to_hex(secret) + " test.tick 55 10");
    });
    signed_batch_sub<A> sub(ctx, keys);
    sub.connect(path);
    std::vector<zg::verified<tick>> got;
    auto const deadline = std::chrono::steady_clock::now() + 25s;
    while (got.size() < 55 && std::chrono::steady_clock::now() < deadline)
      if (auto m = sub.receive()) got.push_back(*m);
    auto [rc, out] = python_pub.get();
    CHECK(rc == 0);
    CHECK(out == "published 55\n");
    REQUIRE(got.size() == 55);
    for (std::uint32_t i = 0; i < 55; ++i) {
      CHECK(got[i].value.seq == i + 1);
      CHECK(got[i].origin.sequence == i / 10 + 1);
      CHECK(got[i].origin.batch_index == i % 10);
    }
  }
  SUBCASE("our publisher; a PyNaCl subscriber unpacks and checks every message") {
    signed_batch_pub<A> pub(ctx, key);
    auto ep = pub.bind("ipc://" + (dir.path / "ours.sock").string());
    std::atomic<bool> done = false;
    std::jthread feed([&] {
      auto const deadline = std::chrono::steady_clock::now() + 25s;
      for (std::uint32_t i = 1; !done && std::chrono::steady_clock::now() < deadline; ++i) {
        (void)pub.send(tick{"OURS", i, i});
        std::this_thread::sleep_for(1ms);
      }
    });
    auto [rc, out] = run_command(python + "subscribe " + ep.address + " " + alg + " " + verify_hex + " test.tick 100 16");
    done = true;
    CHECK(rc == 0);
    CHECK(out.starts_with("verified "));
    CHECK(out.ends_with("rejected 0\n"));
  }
}
