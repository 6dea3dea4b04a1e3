// shared_bytes<N>: a byte field a socket decodes by sharing the received
// frame instead of copying it. The attacks on it are those on any view: a
// value kept after the socket reused its frame, after the socket is gone,
// copied to another value, moved; a frame too small to be referenced (it is
// copied); bytes that do not lie in the frame. Each is checked to read the
// bytes that were sent, and the sharing itself is checked by address.
#include "schemas.hpp"
#include "support.hpp"

#include <cstring>
#include <future>
#include <stop_token>
#include <thread>

using namespace zguard_test;

namespace {

struct chunk {
  ZGUARD_SCHEMA("test.chunk", 1);
  BOOST_HANA_DEFINE_STRUCT(chunk, (std::uint32_t, seq), (zg::shared_bytes<65536>, data));
};
// The same schema with bounded_bytes: the same bytes on the wire.
struct chunk_copied {
  ZGUARD_SCHEMA("test.chunk", 1);
  BOOST_HANA_DEFINE_STRUCT(chunk_copied, (std::uint32_t, seq), (zg::bounded_bytes<65536>, data));
};

// A reader taking at most 4 bytes, and a peer's wider field under the same
// name (both prefixes one byte wide).
struct tiny {
  ZGUARD_SCHEMA("test.tiny", 1);
  BOOST_HANA_DEFINE_STRUCT(tiny, (zg::shared_bytes<4>, data));
};
struct wide {
  ZGUARD_SCHEMA("test.tiny", 1);
  BOOST_HANA_DEFINE_STRUCT(wide, (zg::bounded_bytes<255>, data));
};

using big_limits = zg::limits<zg::send_hwm<100>, zg::recv_hwm<100>, zg::block_when_full, zg::max_message_size<70000>,
                              zg::linger_ms<0>, zg::send_timeout_ms<1000>, zg::recv_timeout_ms<1000>,
                              zg::handshake_timeout_ms<2000>>;
using chunk_push = zg::socket<test_domain, zg::inproc, zg::push, zg::null_mechanism, inproc_limits, zg::stream<chunk>>;
using chunk_pull = zg::socket<test_domain, zg::inproc, zg::pull, zg::null_mechanism, inproc_limits, zg::stream<chunk>>;

std::vector<std::uint8_t> pattern(std::size_t n, std::uint32_t seed) {
  std::vector<std::uint8_t> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = std::uint8_t((i * 31 + seed * 7) & 0xff);
  return v;
}
chunk make_chunk(std::uint32_t seq, std::size_t n) {
  chunk c{};
  c.seq = seq;
  auto const p = pattern(n, seq);
  c.data.assign(p.data(), p.size());
  return c;
}
bool holds(zg::shared_bytes<65536> const& b, std::size_t n, std::uint32_t seed) {
  auto const p = pattern(n, seed);
  return b.size() == n && std::memcmp(b.data(), p.data(), n) == 0;
}
bool lies_in(std::uint8_t const* p, zmq::message_t const& frame) {
  auto const b = reinterpret_cast<std::uintptr_t>(frame.data()), at = reinterpret_cast<std::uintptr_t>(p);
  return at >= b && at < b + frame.size();
}

}  // namespace

TEST_CASE("shared_bytes: a value of its own, copies that share, moves that empty, the bound") {
  auto const p = pattern(1000, 1);
  zg::shared_bytes<65536> a(p);
  CHECK(a.size() == 1000);
  CHECK(std::memcmp(a.data(), p.data(), p.size()) == 0);
  CHECK(a.data() != p.data());  // made from bytes of our own: copied once

  zg::shared_bytes<65536> b = a;  // a copy is a reference to the same bytes
  CHECK(b.data() == a.data());
  CHECK(b == a);
  zg::shared_bytes<65536> c = std::move(b);
  CHECK(c.data() == a.data());
  CHECK(b.empty());  // NOLINT(bugprone-use-after-move): moved-from is empty, by contract
  a = zg::shared_bytes<65536>(pattern(10, 2));  // a's old bytes live on in c
  CHECK(holds(c, 1000, 1));
  CHECK(a.size() == 10);
  CHECK_FALSE(a == c);

  // Small enough to live inside the value (libzmq keeps <= 33 bytes inline):
  // copies and moves still read right.
  zg::shared_bytes<65536> small(pattern(5, 3));
  auto small_copy = small;
  auto small_moved = std::move(small);
  CHECK(small_copy == small_moved);
  CHECK(small_moved.size() == 5);

  CHECK(zg::shared_bytes<4>(pattern(4, 0)).size() == 4);  // exactly N
  CHECK_THROWS_AS((zg::shared_bytes<4>(pattern(5, 0))), zg::bound_error);
  zg::shared_bytes<4> four;
  CHECK_THROWS_AS(four.assign(p.data(), 5), zg::bound_error);
  CHECK(four.empty());
}

TEST_CASE("shared_bytes: the same wire bytes as bounded_bytes, and decode() of a buffer copies") {
  auto const c = make_chunk(7, 3000);
  chunk_copied d{};
  d.seq = 7;
  d.data.assign(c.data.data(), c.data.size());
  auto const wire = zg::encode(c);
  CHECK(wire == zg::encode(d));
  CHECK(zg::describe<chunk>() == zg::describe<chunk_copied>());  // peers (the Python module) see bytes

  auto decoded = zg::decode<chunk>(wire);
  REQUIRE(decoded.ok());
  CHECK(holds(decoded->data, 3000, 7));
  auto const at = reinterpret_cast<std::uintptr_t>(decoded->data.data()),
             begin = reinterpret_cast<std::uintptr_t>(wire.data());
  CHECK((at < begin || at >= begin + wire.size()));  // a plain buffer may go away: copied
  // Every cut is refused; the bound is the schema's.
  for (std::size_t n : {std::size_t(0), std::size_t(5), wire.size() - 1}) {
    auto const r = zg::decode<chunk>(std::span(wire.data(), n));
    CHECK_FALSE(r.ok());
  }
}

TEST_CASE("shared_bytes at its bound: a length prefix over N is refused, from a frame as from a buffer") {
  // A peer sends 5 or 255 bytes where the reader takes at most 4.
  for (std::size_t n : {std::size_t(4), std::size_t(5), std::size_t(255)}) {
    wide w{};
    auto const p = pattern(n, 4);
    w.data.assign(p.data(), p.size());
    auto const bytes = zg::encode(w);
    zmq::message_t frame(bytes.data(), bytes.size());
    tiny from_frame{};
    auto const e = zg::detail::decode_received(from_frame, zg::detail::bytes_of(frame), frame.handle());
    auto const from_buffer = zg::decode<tiny>(bytes);
    if (n <= 4) {
      REQUIRE_FALSE(e);
      CHECK(from_frame.data.size() == n);
      CHECK(from_buffer.ok());
    } else {
      REQUIRE(e);
      CHECK(e->reason == zg::decode_reason::length_over_bound);
      CHECK(e->field == "data");
      CHECK(from_frame.data.empty());  // nothing taken from a refused frame
      REQUIRE_FALSE(from_buffer.ok());
      CHECK(from_buffer.error().reason == zg::decode_reason::length_over_bound);
    }
  }
}

TEST_CASE("shared_bytes: decoding a received frame shares it, and outlives it") {
  auto const c = make_chunk(9, 4000);
  auto const wire = zg::encode(c);
  chunk into{};
  {
    zmq::message_t frame(wire.data(), wire.size());
    REQUIRE_FALSE(zg::detail::decode_received(into, zg::detail::bytes_of(frame), frame.handle()));
    CHECK(lies_in(into.data.data(), frame));  // no copy: the frame's own bytes
    // The frame is overwritten and rebuilt, as a socket does with its
    // receive buffer: the shared bytes are not those any more.
    frame.rebuild(wire.size());
    std::memset(frame.data(), 0xee, frame.size());
  }  // and closed
  CHECK(holds(into.data, 4000, 9));
  CHECK(into.seq == 9);

  // A small frame (copied inline by libzmq) reads right after it is gone.
  auto const tiny = zg::encode(make_chunk(1, 3));
  chunk small{};
  {
    zmq::message_t frame(tiny.data(), tiny.size());
    REQUIRE_FALSE(zg::detail::decode_received(small, zg::detail::bytes_of(frame), frame.handle()));
  }
  auto moved = std::move(small);
  CHECK(holds(moved.data, 3, 1));

  // Bytes that do not lie in the frame handed over are copied, never
  // referenced at a wrong offset.
  zmq::message_t unrelated(std::size_t(100));
  chunk elsewhere{};
  REQUIRE_FALSE(zg::detail::decode_received(elsewhere, std::span(wire), unrelated.handle()));
  CHECK_FALSE(lies_in(elsewhere.data.data(), unrelated));
  CHECK(holds(elsewhere.data, 4000, 9));
}

TEST_CASE("shared_bytes over a socket: kept values read what was sent after the socket received more, and after it "
          "is gone") {
  zg::context<test_domain> ctx;
  std::vector<zg::shared_bytes<65536>> kept;
  std::vector<chunk> kept_values;
  {
    chunk_pull pull(ctx);
    chunk_push push(ctx);
    auto ep = zg::endpoint<zg::inproc, test_domain>("inproc://shared-bytes");
    pull.bind(ep);
    push.connect(ep);
    zg::inbox<chunk> in;
    for (std::uint32_t i = 1; i <= 6; ++i) {
      std::size_t const n = i % 2 ? 60000 : 20;  // large (shared) and small (inline) frames
      REQUIRE(push.send(make_chunk(i, n)));
      if (i <= 3) {
        REQUIRE(pull.receive(in));  // one inbox, reused: its frame is replaced each time
        CHECK(in.value().seq == i);
        kept.push_back(in.value().data);
      } else {
        auto got = pull.receive();
        REQUIRE(got);
        kept_values.push_back(std::move(got->value));
      }
    }
  }  // both sockets closed
  REQUIRE(kept.size() == 3);
  REQUIRE(kept_values.size() == 3);
  for (std::uint32_t i = 1; i <= 3; ++i) CHECK(holds(kept[i - 1], i % 2 ? 60000 : 20, i));
  for (std::uint32_t i = 4; i <= 6; ++i) {
    CHECK(kept_values[i - 4].seq == i);
    CHECK(holds(kept_values[i - 4].data, i % 2 ? 60000 : 20, i));
  }
}

TEST_CASE("shared_bytes over inproc PUB/SUB: two subscribers share the one message, read-only") {
  using feed_limits = zg::limits<zg::send_hwm<100>, zg::recv_hwm<100>, zg::drop_when_full, zg::linger_ms<0>,
                                 zg::send_timeout_ms<1000>, zg::recv_timeout_ms<100>>;
  using pub_t = zg::socket<test_domain, zg::inproc, zg::pub, zg::null_mechanism, feed_limits,
                           zg::topic<"test.chunk", chunk>>;
  using sub_t = zg::socket<test_domain, zg::inproc, zg::sub, zg::null_mechanism, feed_limits,
                           zg::topic<"test.chunk", chunk>>;
  zg::context<test_domain> ctx;
  pub_t pub(ctx);
  auto ep = zg::endpoint<zg::inproc, test_domain>("inproc://shared-feed");
  pub.bind(ep);
  sub_t a(ctx), b(ctx);
  a.connect(ep);
  b.connect(ep);
  std::optional<std::remove_cvref_t<decltype(*a.receive())>> got_a, got_b;
  REQUIRE(eventually([&] {  // slow joiner: publish until both have one
    REQUIRE(pub.send(make_chunk(1, 50000)));
    if (auto m = got_a ? std::nullopt : a.receive()) got_a.emplace(*m);
    if (auto m = got_b ? std::nullopt : b.receive()) got_b.emplace(*m);
    return got_a && got_b;
  }));
  CHECK(holds(got_a->value.data, 50000, 1));
  CHECK(got_a->value.data.data() == got_b->value.data.data());  // one message, no copy per subscriber
  static_assert(std::is_same_v<decltype(got_a->value.data.data()), std::uint8_t const*>,
                "shared bytes are read-only: another holder reads the same storage");
}

TEST_CASE("shared_bytes in signed and batched streams: shares the sealed frame, reads right after more came") {
  using L = big_limits;
  using signed_push = zg::socket<test_domain, zg::ipc, zg::push, zg::null_mechanism, L, zg::stream<chunk>,
                                 zg::signing<zg::blake2b_mac>>;
  using signed_pull = zg::socket<test_domain, zg::ipc, zg::pull, zg::null_mechanism, L, zg::stream<chunk>,
                                 zg::signing<zg::blake2b_mac>>;
  temp_dir dir;
  zg::context<test_domain> ctx;
  auto key = zg::signing_key<zg::blake2b_mac>::generate();
  zg::verify_keys<zg::blake2b_mac> keys;
  keys.add(key);
  signed_pull pull(ctx, keys);
  auto ep = pull.bind("ipc://" + (dir.path / "signed.sock").string());
  signed_push push(ctx, key);
  push.connect(ep);
  std::vector<zg::verified<chunk>> got;
  for (std::uint32_t i = 1; i <= 3; ++i) {
    REQUIRE(push.send(make_chunk(i, 30000)));
    auto m = pull.receive();
    REQUIRE(m);
    got.push_back(std::move(*m));
  }
  for (std::uint32_t i = 1; i <= 3; ++i) {
    CHECK(got[i - 1].value.seq == i);
    CHECK(holds(got[i - 1].value.data, 30000, i));
  }

  using batched_push = zg::socket<test_domain, zg::inproc, zg::push, zg::null_mechanism, inproc_limits,
                                  zg::stream<chunk>, zg::batched<4, 1000>>;
  using batched_pull = zg::socket<test_domain, zg::inproc, zg::pull, zg::null_mechanism, inproc_limits,
                                  zg::stream<chunk>, zg::batched<4, 1000>>;
  batched_pull bpull(ctx);
  auto bep = zg::endpoint<zg::inproc, test_domain>("inproc://shared-batches");
  bpull.bind(bep);
  std::vector<chunk> items;
  {
    batched_push bpush(ctx);
    bpush.connect(bep);
    for (std::uint32_t i = 1; i <= 8; ++i) REQUIRE(bpush.send(make_chunk(i, 1000 * i)));  // two full batches
    for (int i = 0; i < 8; ++i) {
      auto m = bpull.receive();
      REQUIRE(m);
      items.push_back(std::move(m->value));
    }
  }
  for (std::uint32_t i = 1; i <= 8; ++i) CHECK(holds(items[i - 1].data, 1000 * i, i));
  // The four messages of one batch lie in its one frame, in order.
  CHECK(items[1].data.data() == items[0].data.data() + 1000 + 4 + zg::encoded_size(items[1]) - 2000);
}

TEST_CASE("shared_bytes in a service: the handler sends what it received, call() keeps replies after the socket "
          "is gone") {
  using svc = zg::service<chunk, chunk>;
  using rep_t = zg::socket<test_domain, zg::inproc, zg::rep, zg::null_mechanism, inproc_limits, svc>;
  using req_t = zg::socket<test_domain, zg::inproc, zg::req, zg::null_mechanism, inproc_limits, svc>;
  zg::context<test_domain> ctx;
  auto ep = zg::endpoint<zg::inproc, test_domain>("inproc://shared-service");
  std::promise<void> bound;
  std::jthread server([&](std::stop_token stop) {
    rep_t rep(ctx);
    rep.bind(ep);
    bound.set_value();
    // The request's bytes go back out as they came (shared, then encoded).
    rep.serve([](chunk const& req, zg::peer_info const&) { return chunk{req.seq + 100, req.data}; }, stop);
  });
  bound.get_future().get();
  std::vector<zg::call_result<chunk>> replies;
  {
    req_t req(ctx);
    req.connect(ep);
    for (std::uint32_t i = 1; i <= 3; ++i) {
      replies.push_back(req.call(make_chunk(i, 10000 * i)));
      REQUIRE_MESSAGE(replies.back().ok(), replies.back().reason());
    }
  }
  server.request_stop();
  server.join();
  for (std::uint32_t i = 1; i <= 3; ++i) {
    CHECK(replies[i - 1]->seq == i + 100);
    CHECK(holds(replies[i - 1]->data, 10000 * i, i));
  }
}
