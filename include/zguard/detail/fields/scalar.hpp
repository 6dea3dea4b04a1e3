// zguard/detail/fields/scalar.hpp - fixed-width field kinds: bool, integers,
// float and double, enums with zguard::enum_values, ranged<T, Min, Max>.
// Each is its width in bytes, little-endian (docs/wire-format.md).
#pragma once

#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <type_traits>

#include <zguard/detail/field_kind.hpp>
#include <zguard/detail/json_text.hpp>
#include <zguard/schema.hpp>

namespace zguard {
inline namespace v0 {
namespace detail {

// Shared by the fixed-width kinds: a carried field of sizeof(Wire) bytes.
template <class Wire>
struct fixed_width_kind {
  static constexpr field_verdict verdict = field_verdict::carried;
  static constexpr bool field() { return true; }
  static constexpr std::size_t max_size() { return sizeof(Wire); }
  static constexpr bool view() { return false; }
  template <class T>
  static std::size_t size(T const&) {
    return sizeof(Wire);
  }
};

// bool: one byte, 0 or 1; any other byte is out_of_range.
template <>
struct field_kind<bool> : fixed_width_kind<std::uint8_t> {
  template <class W>
  static void write(W& w, bool v) {
    w.integer(static_cast<std::uint8_t>(v ? 1 : 0));
  }
  template <class R>
  static bool read(R& r, bool& v) {
    std::uint8_t b = 0;
    if (!r.integer(b)) return false;
    if (b > 1) return r.fail(R::reason::out_of_range);
    v = b == 1;
    return true;
  }
  static void describe(std::string& out) { out += "\"bool\""; }
};

// Integers of 1 to 8 bytes: every bit pattern is a value.
template <class T>
  requires(std::is_integral_v<T> && !std::is_same_v<T, bool> && sizeof(T) <= 8)
struct field_kind<T> : fixed_width_kind<T> {
  template <class W>
  static void write(W& w, T v) {
    w.integer(v);
  }
  template <class R>
  static bool read(R& r, T& v) {
    return r.integer(v);
  }
  static void describe(std::string& out) {
    out += "\"int\",";
    json_integer_shape<T>(out);
  }
};

// float and double: IEEE 754 binary32 / binary64, their bits little-endian
// on the wire, every NaN as the one quiet NaN (docs/wire-format.md).
template <class T>
inline constexpr bool ieee_float =
    (std::is_same_v<T, float> || std::is_same_v<T, double>) && std::numeric_limits<T>::is_iec559;

// The wire bits of a float or double: its IEEE 754 bits, any NaN as the
// one quiet NaN (so a value has one encoding; -0.0 and +0.0 are two values).
template <class T>
using float_bits = std::conditional_t<sizeof(T) == 4, std::uint32_t, std::uint64_t>;
template <class T>
inline constexpr float_bits<T> canonical_nan =
    sizeof(T) == 4 ? float_bits<T>(0x7fc00000u) : float_bits<T>(0x7ff8000000000000ull);
template <class T>
float_bits<T> wire_bits(T v) {
  return std::isnan(v) ? canonical_nan<T> : std::bit_cast<float_bits<T>>(v);
}

template <class T>
  requires ieee_float<T>
struct field_kind<T> : fixed_width_kind<T> {
  template <class W>
  static void write(W& w, T v) {
    w.integer(wire_bits(v));
  }
  template <class R>
  static bool read(R& r, T& v) {
    float_bits<T> bits = 0;
    if (!r.integer(bits)) return false;
    T const f = std::bit_cast<T>(bits);
    if (std::isnan(f) && bits != canonical_nan<T>) return r.fail(R::reason::out_of_range);  // another NaN spelling
    v = f;
    return true;
  }
  static void describe(std::string& out) { out += "\"float\",\"bytes\":" + std::to_string(sizeof(T)); }
};

// long double: no portable encoding, refused.
template <class T>
  requires(std::is_floating_point_v<T> && !ieee_float<T>)
struct field_kind<T> : field_kind<void> {
  static constexpr field_verdict verdict = field_verdict::not_ieee_float;
};

// Enums: their underlying integer; only the values in enum_values<E> are
// written or read. An enum without enum_values is refused.
template <class E>
  requires std::is_enum_v<E>
struct field_kind<E> : fixed_width_kind<std::underlying_type_t<E>> {
  using U = std::underlying_type_t<E>;
  static constexpr field_verdict verdict = SchemaEnum<E> ? field_verdict::carried : field_verdict::enum_without_values;
  static constexpr bool field() { return SchemaEnum<E>; }
  template <class W>
  static void write(W& w, E v) {
    bool known = false;
    for (auto e : enum_values<E>) known |= (e == v);
    if (!known) w.refuse("zguard::encode: enum value not in zguard::enum_values");
    w.integer(static_cast<U>(v));
  }
  template <class R>
  static bool read(R& r, E& v) {
    U u{};
    if (!r.integer(u)) return false;
    for (auto e : enum_values<E>)
      if (static_cast<U>(e) == u) {
        v = e;
        return true;
      }
    return r.fail(R::reason::unknown_enum_value);
  }
  static void describe(std::string& out) {
    out += "\"enum\",";
    json_integer_shape<U>(out);
    out += ",\"values\":[";
    bool first = true;
    for (auto e : enum_values<E>) {
      if (!first) out += ',';
      first = false;
      out += json_integer(static_cast<U>(e));
    }
    out += ']';
  }
};

// ranged<T, Min, Max>: T's width; a value outside [Min, Max] is out_of_range.
template <class T, T Min, T Max>
struct field_kind<ranged<T, Min, Max>> : fixed_width_kind<T> {
  using V = ranged<T, Min, Max>;
  template <class W>
  static void write(W& w, V const& v) {
    w.integer(v.value());
  }
  template <class R>
  static bool read(R& r, V& v) {
    T u{};
    if (!r.integer(u)) return false;
    if (!V::in_range(u)) return r.fail(R::reason::out_of_range);
    v = V(u);
    return true;
  }
  static void describe(std::string& out) {
    out += "\"ranged\",";
    json_integer_shape<T>(out);
    out += ",\"min\":" + json_integer(Min) + ",\"max\":" + json_integer(Max);
  }
};

}  // namespace detail
}  // namespace v0
}  // namespace zguard
