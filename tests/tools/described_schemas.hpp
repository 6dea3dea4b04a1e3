// The schemas whose descriptions the Python module tests read: those of
// tests/schemas.hpp, the refusal a service answers with, and test.wide, which
// holds every kind of field the codec has (2- and 4-byte prefixes, nested and
// optional structs, arrays of arrays, vectors of optionals and of vectors).
#pragma once

#include "../schemas.hpp"

#include <filesystem>

namespace zguard_test {

enum class level : std::int16_t { low = -1, mid = 0, high = 300 };

struct point {
  BOOST_HANA_DEFINE_STRUCT(point, (std::int8_t, x), (zg::ranged<std::uint16_t, 10, 20>, y));
  friend bool operator==(point const&, point const&) = default;
};

struct wide {
  ZGUARD_SCHEMA("test.wide", 3);
  BOOST_HANA_DEFINE_STRUCT(wide, (std::int64_t, i64), (std::uint16_t, u16), (level, lvl),
                           (zg::ranged<std::int64_t, -5, 5>, r), (zg::bounded_string<300>, text),
                           (zg::bounded_bytes<70000>, big), (std::array<point, 2>, corners),
                           (std::optional<point>, origin),
                           (zg::bounded_vector<std::optional<zg::bounded_string<4>>, 3>, tags),
                           (std::array<std::array<bool, 2>, 2>, grid),
                           (zg::bounded_vector<zg::bounded_vector<std::uint8_t, 2>, 2>, nested));
  friend bool operator==(wide const&, wide const&) = default;
};

// Floating-point fields (IEEE 754, one NaN on the wire).
struct measure {
  ZGUARD_SCHEMA("test.measure", 1);
  BOOST_HANA_DEFINE_STRUCT(measure, (float, ratio), (double, value), (std::array<double, 2>, range),
                           (std::optional<float>, error));
};

// A wide value with every field set (the optional present, every vector
// holding something).
inline wide sample_wide() {
  wide w{};
  w.i64 = -1234567890123;
  w.u16 = 65535;
  w.lvl = level::high;
  w.r = -5;
  w.text = std::string(260, 'w');
  w.big = std::vector<std::uint8_t>(300, 0x5a);
  w.corners = {point{-128, 10}, point{127, 20}};
  w.origin = point{0, 15};
  (void)w.tags.push_back(std::nullopt);
  (void)w.tags.push_back(zg::bounded_string<4>("\xc3\xa9t"));  // "ét": 3 bytes of UTF-8
  w.grid = {std::array<bool, 2>{true, false}, std::array<bool, 2>{false, true}};
  (void)w.nested.push_back(zg::bounded_vector<std::uint8_t, 2>{1, 2});
  (void)w.nested.push_back(zg::bounded_vector<std::uint8_t, 2>{});
  return w;
}

// What describe_schemas writes (and the tests read).
inline void write_test_descriptions(std::filesystem::path const& path) {
  zg::write_descriptions<order, order_ack, tick, note, bulk, wide, measure, zg::refusal>(path);
}

}  // namespace zguard_test

template <>
inline constexpr auto zguard::enum_values<zguard_test::level> =
    std::array{zguard_test::level::low, zguard_test::level::mid, zguard_test::level::high};
