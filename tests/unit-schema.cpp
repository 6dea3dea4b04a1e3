// The schema codec (G9): round trips over many generated values, boundaries,
// every decode error reason with its field path, views, test vectors.
#include "schemas.hpp"
#include "support.hpp"

#include <cmath>
#include <cstring>
#include <limits>

#include <random>

using namespace zguard_test;

namespace {

// Random values within every bound, strings mixing 1- to 4-byte UTF-8.
struct generator {
  std::mt19937_64 rng{20261124};
  std::size_t upto(std::size_t n) { return std::uniform_int_distribution<std::size_t>(0, n)(rng); }
  template <std::size_t N>
  zg::bounded_string<N> text() {
    static char const* pieces[] = {"a", "Z", "0", " ", "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80"};
    std::string s;
    for (;;) {
      std::string piece = pieces[upto(6)];
      if (s.size() + piece.size() > upto(N)) break;
      s += piece;
    }
    return s;
  }
  order make_order() {
    order o{};
    o.id = rng();
    o.direction = upto(1) ? side::buy : side::sell;
    for (std::size_t i = 0, n = upto(4); i < n; ++i)
      REQUIRE(o.lines.push_back(line{text<16>(), std::int32_t(1 + upto(999))}));
    if (upto(1)) o.priority = std::int16_t(rng());
    for (auto& t : o.tag) t = std::uint8_t(rng());
    o.urgent = upto(1) == 1;
    std::vector<std::uint8_t> blob(upto(8));
    for (auto& b : blob) b = std::uint8_t(rng());
    o.blob = blob;
    return o;
  }
};

template <class S>
zg::decode_error refused(std::vector<std::uint8_t> const& bytes) {
  auto r = zg::decode<S>(bytes);
  REQUIRE_FALSE(r.ok());
  return r.error();
}

}  // namespace

TEST_CASE("schemas have compile-time maximum sizes") {
  // header 1+1+10+2, id 8, direction 1, lines 1+4*(1+16+4), priority 1+2,
  // tag 4, urgent 1, blob 1+8
  static_assert(zg::max_encoded_size<order> == 14 + 8 + 1 + 85 + 3 + 4 + 1 + 9);
  static_assert(zg::max_encoded_size<tick> == 13 + 9 + 8 + 4);
  static_assert(zg::max_encoded_size<note> == zg::max_encoded_size<note_view>);
  CHECK(zg::encoded_size(blank_order()) == 14 + 8 + 1 + 1 + 1 + 4 + 1 + 1);
}

TEST_CASE("round trip: 2000 generated orders and ticks") {
  generator gen;
  for (int i = 0; i < 1000; ++i) {
    auto o = gen.make_order();
    auto bytes = zg::encode(o);
    CHECK(bytes.size() == zg::encoded_size(o));
    CHECK(bytes.size() <= zg::max_encoded_size<order>);
    auto back = zg::decode<order>(bytes);
    REQUIRE(back.ok());
    CHECK(back.value() == o);
    CHECK(zg::encode(back.value()) == bytes);  // canonical
  }
  for (int i = 0; i < 1000; ++i) {
    tick t{gen.text<8>(), std::int64_t(gen.rng()), std::uint32_t(gen.rng())};
    auto back = zg::decode<tick>(zg::encode(t));
    REQUIRE(back.ok());
    CHECK(back.value() == t);
  }
}

// decode_into reuses one value: every field is overwritten (a shorter
// vector, an absent optional), and it refuses exactly what decode refuses.
TEST_CASE("decode_into one reused value gives what decode gives, and the same errors") {
  generator gen;
  order reused{};
  for (int i = 0; i < 1000; ++i) {
    auto o = gen.make_order();
    auto bytes = zg::encode(o);
    auto e = zg::decode_into(reused, std::span<std::uint8_t const>(bytes));
    REQUIRE_FALSE(e);
    CHECK(reused == o);
    for (std::size_t cut : {std::size_t(0), bytes.size() / 2, bytes.size() - 1}) {
      order scratch{};
      auto const want = zg::decode<order>(std::span<std::uint8_t const>(bytes.data(), cut));
      auto const got = zg::decode_into(scratch, std::span<std::uint8_t const>(bytes.data(), cut));
      REQUIRE(!want.ok());
      REQUIRE(got);
      CHECK(got->reason == want.error().reason);
      CHECK(got->offset == want.error().offset);
    }
  }
}

TEST_CASE("boundaries: empty, exactly N, N+1") {
  CHECK(zg::bounded_string<16>("").size() == 0);
  CHECK(zg::bounded_string<16>(std::string(16, 'x')).size() == 16);
  CHECK_THROWS_AS(zg::bounded_string<16>(std::string(17, 'x')), zg::bound_error);
  CHECK_THROWS_AS(zg::bounded_bytes<8>(std::vector<std::uint8_t>(9)), zg::bound_error);
  CHECK_THROWS_AS((zg::ranged<std::int32_t, 1, 1000>(0)), zg::bound_error);
  CHECK_THROWS_AS((zg::ranged<std::int32_t, 1, 1000>(1001)), zg::bound_error);
  zg::bounded_vector<line, 4> v;
  for (int i = 0; i < 4; ++i) CHECK(v.push_back(line{}));
  CHECK_FALSE(v.push_back(line{}));
  CHECK(v.size() == 4);

  order full = blank_order();
  full.lines = v;
  for (int i = 0; i < 4; ++i) full.lines[i] = line{std::string(16, 'q'), 1000};
  full.blob = std::vector<std::uint8_t>(8, 7);
  full.priority = 1;
  auto bytes = zg::encode(full);
  CHECK(bytes.size() == zg::max_encoded_size<order>);
  CHECK(zg::decode<order>(bytes).ok());

  // One more than the bound, written on the wire by hand.
  auto const lines_at = 14 + 8 + 1;
  auto over = zg::encode(blank_order());
  over[lines_at] = 5;  // 5 lines > 4
  auto e = refused<order>(over);
  CHECK(e.reason == zg::decode_reason::length_over_bound);
  CHECK(e.field == "lines");
  CHECK(e.offset == lines_at);

  order one = blank_order();
  (void)one.lines.push_back(line{"abc", 1});
  auto sku = zg::encode(one);
  sku[lines_at + 1] = 17;  // sku length 17 > 16
  e = refused<order>(sku);
  CHECK(e.reason == zg::decode_reason::length_over_bound);
  CHECK(e.field == "lines[0].sku");
}

TEST_CASE("every decode error reason, with field and offset") {
  auto const good = zg::encode(sample_order());
  REQUIRE(zg::decode<order>(good).ok());
  // Layout of the sample: header 0..13, id 14..21, direction 22, lines 23..,
  // line 0: sku 24..27, qty 28..31; line 1: sku 32..37, qty 38..41;
  // priority 42..44, tag 45..48, urgent 49, blob 50..52.
  auto with = [&](std::size_t at, std::uint8_t value) {
    auto b = good;
    b[at] = value;
    return b;
  };

  SUBCASE("truncated: every proper prefix is refused") {
    for (std::size_t n = 0; n < good.size(); ++n) {
      CAPTURE(n);
      auto e = refused<order>(std::vector<std::uint8_t>(good.begin(), good.begin() + long(n)));
      CHECK(e.reason == zg::decode_reason::truncated);
    }
  }
  SUBCASE("out of range: ranged integer, bool, optional tag") {
    auto e = refused<order>(with(28, 0));  // qty 0 < 1
    CHECK(e.reason == zg::decode_reason::out_of_range);
    CHECK(e.field == "lines[0].qty");
    CHECK(e.offset == 32);
    e = refused<order>(with(49, 2));  // urgent = 2
    CHECK(e.reason == zg::decode_reason::out_of_range);
    CHECK(e.field == "urgent");
    e = refused<order>(with(42, 7));  // optional tag 7
    CHECK(e.reason == zg::decode_reason::out_of_range);
    CHECK(e.field == "priority");
  }
  SUBCASE("unknown enum value") {
    auto e = refused<order>(with(22, 3));
    CHECK(e.reason == zg::decode_reason::unknown_enum_value);
    CHECK(e.field == "direction");
  }
  SUBCASE("invalid UTF-8 in a string; bytes fields take anything") {
    auto e = refused<order>(with(25, 0xff));
    CHECK(e.reason == zg::decode_reason::invalid_utf8);
    CHECK(e.field == "lines[0].sku");
    auto overlong = with(33, 0xc0);  // "été" -> overlong lead byte
    overlong[34] = 0x80;
    CHECK(refused<order>(overlong).reason == zg::decode_reason::invalid_utf8);
    CHECK(zg::decode<order>(with(51, 0xff)).ok());
  }
  SUBCASE("trailing bytes") {
    auto b = good;
    b.push_back(0);
    auto e = refused<order>(b);
    CHECK(e.reason == zg::decode_reason::trailing_bytes);
    CHECK(e.offset == good.size());
  }
  SUBCASE("wrong format, schema or version") {
    CHECK(refused<order>(with(0, 2)).reason == zg::decode_reason::unsupported_format);
    CHECK(refused<order>(zg::encode(tick{})).reason == zg::decode_reason::wrong_schema);
    CHECK(refused<order>(zg::encode(order_v2{})).reason == zg::decode_reason::wrong_version);
    CHECK(refused<order_v2>(good).reason == zg::decode_reason::wrong_version);
  }
  // Versions are exact (docs/wire-format.md, "Schema evolution"): the
  // refusal names what arrived and what this reader takes.
  SUBCASE("a wrong schema or version names both") {
    auto v = refused<order_v2>(good);
    CHECK(v.note == "arrived test.order v1; this reader takes test.order v2");
    CHECK(v.message() == "wrong_version (byte 12): arrived test.order v1; this reader takes test.order v2");
    CHECK(refused<order>(zg::encode(tick{})).note == "arrived test.tick v1; this reader takes test.order v1");
    auto cut = zg::encode(tick{});
    cut.resize(2 + 9);  // the name, no version: the note says what is known
    CHECK(refused<order>(cut).note == "arrived test.tick; this reader takes test.order v1");
    CHECK(refused<order>(with(0, 2)).note.empty());
  }
  SUBCASE("a count larger than the bytes left is refused before allocating") {
    std::vector<std::uint8_t> b = zg::encode(bulk{});
    b[b.size() - 2] = 0x50;  // count 0xc350 = 50000, no items follow
    b[b.size() - 1] = 0xc3;
    auto e = refused<bulk>(b);
    CHECK(e.reason == zg::decode_reason::truncated);
    CHECK(e.field == "items");
  }
  SUBCASE("messages are human readable") {
    auto e = refused<order>(with(28, 0));
    CHECK(e.message() == "out_of_range at field 'lines[0].qty' (byte 32)");
  }
}

TEST_CASE("view fields decode without copying") {
  note n{"hello, views", std::vector<std::uint8_t>{1, 2, 3}};
  auto bytes = zg::encode(n);
  auto v = zg::decode<note_view>(bytes);
  REQUIRE(v.ok());
  CHECK(v->text.view() == "hello, views");
  auto const* base = reinterpret_cast<char const*>(bytes.data());
  CHECK(v->text.view().data() >= base);
  CHECK(v->text.view().data() < base + bytes.size());
  CHECK(v->data.data() >= bytes.data());
  CHECK(v->data.size() == 3);
  CHECK(zg::encode(v.value()) == bytes);  // views encode the same bytes
}

TEST_CASE("encoding an enum value that was never declared throws") {
  order o{};
  o.direction = static_cast<side>(9);
  CHECK_THROWS_AS(zg::encode(o), zg::encode_error);
}

TEST_CASE("test vectors of docs/wire-format.md") {
  CHECK(to_hex(zg::encode(sample_order())) ==
        "010a746573742e6f72646572" "0100"
        "2a00000000000000"
        "02"
        "02" "03616263" "05000000" "05c3a974c3a9" "e8030000"
        "01feff"
        "01020304"
        "01"
        "02dead");
  CHECK(to_hex(zg::encode(blank_order())) == "010a746573742e6f72646572" "0100" "0000000000000000" "01" "00" "00" "00000000" "00" "00");
  CHECK(to_hex(zg::encode(order_ack{7, true, "ok"})) ==
        "010e746573742e6f726465725f61636b0100070000000000000001026f6b");
  CHECK(to_hex(zg::encode(tick{"EURUSD", -1, 3})) ==
        "0109746573742e7469636b010006455552555344ffffffffffffffff03000000");
}

namespace {
struct reading {
  ZGUARD_SCHEMA("test.reading", 1);
  BOOST_HANA_DEFINE_STRUCT(reading, (float, ratio), (double, value), (zg::bounded_vector<float, 4>, samples));
};
}  // namespace

TEST_CASE("float and double: IEEE 754 bits little-endian, one NaN on the wire, every other value kept") {
  static_assert(zg::max_encoded_size<reading> == 1 + 1 + 12 + 2 + 4 + 8 + 1 + 4 * 4);
  reading r{1.5f, -2.0, {}};
  (void)r.samples.push_back(-0.0f);
  (void)r.samples.push_back(std::numeric_limits<float>::infinity());
  (void)r.samples.push_back(std::numeric_limits<float>::denorm_min());
  auto const bytes = zg::encode(r);
  // docs/wire-format.md: 1.5f = 0x3fc00000, -2.0 = 0xc000000000000000.
  CHECK(to_hex(std::vector<std::uint8_t>(bytes.begin() + 16, bytes.end())) ==
        "0000c03f" "00000000000000c0" "03" "00000080" "0000807f" "01000000");
  auto back = zg::decode<reading>(std::span<std::uint8_t const>(bytes));
  REQUIRE(back);
  CHECK(back->ratio == 1.5f);
  CHECK(back->value == -2.0);
  CHECK(std::signbit(back->samples[0]));  // -0.0 stays -0.0
  CHECK(std::isinf(back->samples[1]));
  CHECK(back->samples[2] == std::numeric_limits<float>::denorm_min());

  // Every NaN goes out as the one quiet NaN: one value, one encoding.
  reading n{std::numeric_limits<float>::signaling_NaN(), -std::numeric_limits<double>::quiet_NaN(), {}};
  auto const nan_bytes = zg::encode(n);
  CHECK(to_hex(std::vector<std::uint8_t>(nan_bytes.begin() + 16, nan_bytes.begin() + 28)) == "0000c07f" "000000000000f87f");
  auto nan_back = zg::decode<reading>(std::span<std::uint8_t const>(nan_bytes));
  REQUIRE(nan_back);
  CHECK(std::isnan(nan_back->ratio));
  CHECK(zg::encode(*nan_back) == nan_bytes);
  // Any other NaN spelling is refused: it would be a second encoding of NaN.
  for (std::uint32_t other : {0x7fc00001u, 0xffc00000u, 0x7f800001u}) {
    auto b = nan_bytes;
    std::memcpy(b.data() + 16, &other, 4);  // the test hosts are little-endian, like the wire
    auto d = zg::decode<reading>(std::span<std::uint8_t const>(b));
    REQUIRE(!d);
    CHECK(d.error().reason == zg::decode_reason::out_of_range);
    CHECK(d.error().field == "ratio");
  }
  auto cut = std::vector<std::uint8_t>(bytes.begin(), bytes.begin() + 22);
  CHECK(zg::decode<reading>(std::span<std::uint8_t const>(cut)).error().reason == zg::decode_reason::truncated);
}
