// Schemas shared by the schema, channel and interop tests. Their encodings
// are the test vectors of docs/wire-format.md, and tests/python/wire_peer.py
// implements the same schemas from that document.
#pragma once

#include <zguard/zguard.hpp>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <future>
#include <optional>
#include <stop_token>
#include <string>
#include <thread>

namespace zguard_test {
namespace zg = zguard;

enum class side : std::uint8_t { buy = 1, sell = 2 };

struct line {
  BOOST_HANA_DEFINE_STRUCT(line, (zg::bounded_string<16>, sku), (zg::ranged<std::int32_t, 1, 1000>, qty));
  friend bool operator==(line const&, line const&) = default;
};

struct order {
  ZGUARD_SCHEMA("test.order", 1);
  BOOST_HANA_DEFINE_STRUCT(order, (std::uint64_t, id), (side, direction), (zg::bounded_vector<line, 4>, lines),
                           (std::optional<std::int16_t>, priority), (std::array<std::uint8_t, 4>, tag),
                           (bool, urgent), (zg::bounded_bytes<8>, blob));
  friend bool operator==(order const&, order const&) = default;
};

struct order_ack {
  ZGUARD_SCHEMA("test.order_ack", 1);
  BOOST_HANA_DEFINE_STRUCT(order_ack, (std::uint64_t, id), (bool, accepted), (zg::bounded_string<32>, note));
  friend bool operator==(order_ack const&, order_ack const&) = default;
};

// The same name as order with another version: must be refused, not misread.
struct order_v2 {
  ZGUARD_SCHEMA("test.order", 2);
  BOOST_HANA_DEFINE_STRUCT(order_v2, (std::uint64_t, id));
  friend bool operator==(order_v2 const&, order_v2 const&) = default;
};

struct tick {
  ZGUARD_SCHEMA("test.tick", 1);
  BOOST_HANA_DEFINE_STRUCT(tick, (zg::bounded_string<8>, symbol), (std::int64_t, price), (std::uint32_t, seq));
  friend bool operator==(tick const&, tick const&) = default;
};

// One wire format, decoded with copies or as views into the message.
struct note {
  ZGUARD_SCHEMA("test.note", 1);
  BOOST_HANA_DEFINE_STRUCT(note, (zg::bounded_string<64>, text), (zg::bounded_bytes<16>, data));
  friend bool operator==(note const&, note const&) = default;
};
struct note_view {
  ZGUARD_SCHEMA("test.note", 1);
  BOOST_HANA_DEFINE_STRUCT(note_view, (zg::bounded_string_view<64>, text), (zg::bounded_bytes_view<16>, data));
  friend bool operator==(note_view const&, note_view const&) = default;
};

// A large vector, to check counts against the bytes left.
struct bulk {
  ZGUARD_SCHEMA("test.bulk", 1);
  BOOST_HANA_DEFINE_STRUCT(bulk, (zg::bounded_vector<std::uint32_t, 60000>, items));
};

// An order with every field at its smallest (vector 2).
inline order blank_order() {
  order o{};
  o.direction = side::buy;  // value-initialized enums hold 0, which is not declared
  return o;
}

// The order of docs/wire-format.md, vector 1.
inline order sample_order() {
  order o{};
  o.id = 42;
  o.direction = side::sell;
  (void)o.lines.push_back(line{"abc", 5});
  (void)o.lines.push_back(line{"\xc3\xa9t\xc3\xa9", 1000});  // "été"
  o.priority = -2;
  o.tag = {1, 2, 3, 4};
  o.urgent = true;
  o.blob = std::vector<std::uint8_t>{0xde, 0xad};
  return o;
}

// sample_order() with the given id.
inline order numbered_order(std::uint64_t id) {
  auto o = sample_order();
  o.id = id;
  return o;
}

// A feed for a subscriber under test: publisher sends tick{"OURS", i, i}
// for i = 1, 2, ... every 5 ms, from a thread, until `done` (at most 25 s).
template <class Pub>
std::jthread publish_ticks(Pub& publisher, std::atomic<bool> const& done) {
  return std::jthread([&publisher, &done] {
    auto const deadline = std::chrono::steady_clock::now() + std::chrono::seconds(25);
    for (std::uint32_t i = 1; !done && std::chrono::steady_clock::now() < deadline; ++i) {
      (void)publisher.send(tick{"OURS", i, i});
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  });
}

// An order service of socket type W bound at `ep` on a thread of its own
// (made with ctx, args...), counting the requests that reach its handler.
template <class W, class Ctx, class... Args>
std::jthread counting_worker(Ctx& ctx, std::string const& ep, std::atomic<int>& served, Args&... args) {
  std::promise<void> bound;
  auto ready = bound.get_future();
  std::jthread t([&ctx, ep, &served, &args..., bound = std::move(bound)](std::stop_token stop) mutable {
    W rep(ctx, args...);
    (void)rep.bind(ep);
    bound.set_value();
    rep.serve(
        [&](order const& o, zg::peer_info const&) {
          ++served;
          return order_ack{o.id, true, "ok"};
        },
        stop);
  });
  ready.get();
  return t;
}

}  // namespace zguard_test

template <>
inline constexpr auto zguard::enum_values<zguard_test::side> =
    std::array{zguard_test::side::buy, zguard_test::side::sell};
