// zguard/schema.hpp - typed message schemas with compile-time bounds (G9, G5).
//
// A schema is a struct defined with BOOST_HANA_DEFINE_STRUCT plus
// ZGUARD_SCHEMA("name", version). Every field has a bounded type, so the
// largest encoding of a schema is a compile-time constant that can be checked
// against a socket's max_message_size. Field types:
//
//   bool, std::int8_t .. std::uint64_t      fixed width, little-endian
//   enums with zguard::enum_values<E>      only the declared values decode
//   ranged<T, Min, Max>                     an integer checked on construction
//   bounded_string<N>, bounded_bytes<N>     at most N bytes (strings: UTF-8)
//   bounded_string_view<N>, bounded_bytes_view<N>
//                                           the same on the wire, decoded as
//                                           views into the message (no copy)
//   bounded_vector<T, N>, std::array<T, N>, std::optional<T>, nested schemas
//
// std::string and std::vector do not compile as fields: the error names the
// field and the bounded type to use. The wire format is docs/wire-format.md.
#pragma once

#include <boost/hana/accessors.hpp>
#include <boost/hana/define_struct.hpp>
#include <boost/hana/first.hpp>
#include <boost/hana/for_each.hpp>
#include <boost/hana/second.hpp>
#include <boost/hana/string.hpp>
#include <boost/hana/unpack.hpp>

#include <algorithm>
#include <array>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <zguard/detail/policy_set.hpp>
#include <zguard/fixed_string.hpp>

namespace zguard {
inline namespace v0 {

// Name and version of a schema, carried in every encoded message so that a
// peer speaking another schema or version is refused, not misread.
struct schema_id {
  std::string_view name;
  std::uint16_t version;
};

// Inside a schema struct: ZGUARD_SCHEMA("orders.new", 1);
#define ZGUARD_SCHEMA(NAME, VERSION) \
  static constexpr ::zguard::schema_id zguard_schema_id { NAME, VERSION }

// Thrown when a bounded value is built from out-of-bound input (user code,
// not decoding: decode never throws).
struct bound_error : std::length_error {
  using std::length_error::length_error;
};

namespace detail {
struct no_enum_values {};
}  // namespace detail

// Declare the valid values of an enum used in schemas:
//   template <> inline constexpr auto zguard::enum_values<side> =
//       std::array{side::buy, side::sell};
template <class E>
inline constexpr auto enum_values = detail::no_enum_values{};

template <class E>
concept SchemaEnum = std::is_enum_v<E> && !std::is_same_v<std::remove_cv_t<decltype(enum_values<E>)>,
                                                           detail::no_enum_values>;

template <class T, T Min, T Max>
class ranged {
  static_assert(std::is_integral_v<T> && !std::is_same_v<T, bool>, "zguard::ranged<T, Min, Max>: T must be an integer");
  static_assert(Min <= Max, "zguard::ranged<T, Min, Max>: Min must not exceed Max");

 public:
  using value_type = T;
  static constexpr T min = Min, max = Max;
  constexpr ranged() : v_(Min) {}
  constexpr ranged(T v) : v_(v) {  // NOLINT: implicit on purpose, checked
    if (v < Min || v > Max) throw bound_error("zguard::ranged: value out of range");
  }
  static constexpr bool in_range(T v) { return v >= Min && v <= Max; }
  constexpr T value() const { return v_; }
  constexpr operator T() const { return v_; }  // NOLINT
  bool operator==(ranged const&) const = default;

 private:
  T v_;
};

template <std::size_t N>
class bounded_string {
 public:
  static constexpr std::size_t max_size = N;
  bounded_string() = default;
  bounded_string(std::string_view s) : s_(check(s)) {}  // NOLINT: checked
  bounded_string(char const* s) : bounded_string(std::string_view(s)) {}  // NOLINT
  bounded_string(std::string const& s) : bounded_string(std::string_view(s)) {}  // NOLINT
  std::string const& str() const { return s_; }
  std::string_view view() const { return s_; }
  std::size_t size() const { return s_.size(); }
  bool operator==(bounded_string const&) const = default;
  bool operator==(std::string_view other) const { return s_ == other; }
  bool operator==(char const* other) const { return s_ == other; }

 private:
  static std::string_view check(std::string_view s) {
    if (s.size() > N) throw bound_error("zguard::bounded_string<N>: longer than N");
    return s;
  }
  std::string s_;
};

template <std::size_t N>
class bounded_bytes {
 public:
  static constexpr std::size_t max_size = N;
  bounded_bytes() = default;
  bounded_bytes(std::vector<std::uint8_t> b) : b_(std::move(b)) {  // NOLINT: checked
    if (b_.size() > N) throw bound_error("zguard::bounded_bytes<N>: longer than N");
  }
  std::vector<std::uint8_t> const& bytes() const { return b_; }
  std::size_t size() const { return b_.size(); }
  bool operator==(bounded_bytes const&) const = default;

 private:
  std::vector<std::uint8_t> b_;
};

// Views: the same wire encoding as bounded_string / bounded_bytes, decoded
// without copying. Valid only while the decoded message lives.
template <std::size_t N>
class bounded_string_view {
 public:
  static constexpr std::size_t max_size = N;
  constexpr bounded_string_view() = default;
  constexpr bounded_string_view(std::string_view s) : s_(s) {  // NOLINT: checked
    if (s.size() > N) throw bound_error("zguard::bounded_string_view<N>: longer than N");
  }
  constexpr std::string_view view() const { return s_; }
  constexpr std::size_t size() const { return s_.size(); }
  bool operator==(bounded_string_view const& o) const { return s_ == o.s_; }

 private:
  std::string_view s_;
};

template <std::size_t N>
class bounded_bytes_view {
 public:
  static constexpr std::size_t max_size = N;
  constexpr bounded_bytes_view() = default;
  bounded_bytes_view(std::uint8_t const* data, std::size_t size) : data_(data), size_(size) {
    if (size > N) throw bound_error("zguard::bounded_bytes_view<N>: longer than N");
  }
  std::uint8_t const* data() const { return data_; }
  std::size_t size() const { return size_; }
  bool operator==(bounded_bytes_view const& o) const {
    return size_ == o.size_ && std::equal(data_, data_ + size_, o.data_);
  }

 private:
  std::uint8_t const* data_ = nullptr;
  std::size_t size_ = 0;
};

template <class T, std::size_t N>
class bounded_vector {
 public:
  using value_type = T;
  static constexpr std::size_t max_size = N;
  bounded_vector() = default;
  bounded_vector(std::initializer_list<T> items) {
    if (items.size() > N) throw bound_error("zguard::bounded_vector<T, N>: more than N items");
    v_.assign(items);
  }
  // Returns false (and adds nothing) when full.
  [[nodiscard]] bool push_back(T item) {
    if (v_.size() == N) return false;
    v_.push_back(std::move(item));
    return true;
  }
  void clear() { v_.clear(); }
  void reserve(std::size_t n) { v_.reserve(n < N ? n : N); }
  std::size_t size() const { return v_.size(); }
  bool empty() const { return v_.empty(); }
  T const& operator[](std::size_t i) const { return v_[i]; }
  T& operator[](std::size_t i) { return v_[i]; }
  auto begin() const { return v_.begin(); }
  auto end() const { return v_.end(); }
  bool operator==(bounded_vector const&) const = default;

 private:
  std::vector<T> v_;
};

// Schema: a Hana struct with a ZGUARD_SCHEMA identity.
//   semantics: zguard_schema_id names the schema on the wire; the fields, in
//   declaration order, are its body.
template <class S>
concept Schema = boost::hana::Struct<S>::value && requires {
  { S::zguard_schema_id } -> std::convertible_to<schema_id>;
};
template <class S>
concept SchemaBody = boost::hana::Struct<S>::value;

namespace detail {

template <class T>
inline constexpr bool is_std_array = false;
template <class T, std::size_t N>
inline constexpr bool is_std_array<std::array<T, N>> = true;
template <class T>
inline constexpr bool is_optional = false;
template <class T>
inline constexpr bool is_optional<std::optional<T>> = true;
template <class T>
inline constexpr bool is_bounded_vector = false;
template <class T, std::size_t N>
inline constexpr bool is_bounded_vector<bounded_vector<T, N>> = true;
template <class T>
inline constexpr bool is_ranged = false;
template <class T, T A, T B>
inline constexpr bool is_ranged<ranged<T, A, B>> = true;
template <class T>
inline constexpr bool is_length_prefixed = false;
template <std::size_t N>
inline constexpr bool is_length_prefixed<bounded_string<N>> = true;
template <std::size_t N>
inline constexpr bool is_length_prefixed<bounded_bytes<N>> = true;
template <std::size_t N>
inline constexpr bool is_length_prefixed<bounded_string_view<N>> = true;
template <std::size_t N>
inline constexpr bool is_length_prefixed<bounded_bytes_view<N>> = true;
template <class T>
inline constexpr bool is_bounded_bytes = false;
template <std::size_t N>
inline constexpr bool is_bounded_bytes<bounded_bytes<N>> = true;
template <class T>
inline constexpr bool is_string_like = false;
template <std::size_t N>
inline constexpr bool is_string_like<bounded_string<N>> = true;
template <std::size_t N>
inline constexpr bool is_string_like<bounded_string_view<N>> = true;

template <class T>
inline constexpr bool is_unbounded = false;
template <class C, class Tr, class A>
inline constexpr bool is_unbounded<std::basic_string<C, Tr, A>> = true;
template <class C, class Tr>
inline constexpr bool is_unbounded<std::basic_string_view<C, Tr>> = true;
template <class T, class A>
inline constexpr bool is_unbounded<std::vector<T, A>> = true;

// Width of the length / count prefix for at most N items: 1, 2 or 4 bytes.
constexpr std::size_t prefix_width(std::size_t n) { return n <= 0xff ? 1 : n <= 0xffff ? 2 : 4; }

// Whether T may be a schema field (recursively), and its largest encoding.
template <class T>
constexpr bool is_field();
template <class T>
constexpr std::size_t max_field_size();

template <class S>
constexpr bool all_fields_bounded() {
  return boost::hana::unpack(boost::hana::accessors<S>(), [](auto... pairs) {
    return (is_field<std::remove_cvref_t<decltype(boost::hana::second(pairs)(std::declval<S&>()))>>() && ...);
  });
}

template <class S>
constexpr std::size_t max_body_size() {
  return boost::hana::unpack(boost::hana::accessors<S>(), [](auto... pairs) {
    return (std::size_t{0} + ... +
            max_field_size<std::remove_cvref_t<decltype(boost::hana::second(pairs)(std::declval<S&>()))>>());
  });
}

template <class T>
constexpr bool is_field() {
  if constexpr (std::is_same_v<T, bool> || (std::is_integral_v<T> && sizeof(T) <= 8)) return true;
  else if constexpr (std::is_enum_v<T>) return SchemaEnum<T>;
  else if constexpr (is_ranged<T> || is_length_prefixed<T>) return true;
  else if constexpr (is_bounded_vector<T> || is_optional<T>) return is_field<typename T::value_type>();
  else if constexpr (is_std_array<T>) return is_field<typename T::value_type>();
  else if constexpr (boost::hana::Struct<T>::value) return all_fields_bounded<T>();
  else return false;
}

template <class T>
constexpr std::size_t max_field_size() {
  if constexpr (std::is_same_v<T, bool>) return 1;
  else if constexpr (std::is_integral_v<T>) return sizeof(T);
  else if constexpr (std::is_enum_v<T>) return sizeof(std::underlying_type_t<T>);
  else if constexpr (is_ranged<T>) return sizeof(typename T::value_type);
  else if constexpr (is_length_prefixed<T>) return prefix_width(T::max_size) + T::max_size;
  else if constexpr (is_bounded_vector<T>)
    return prefix_width(T::max_size) + T::max_size * max_field_size<typename T::value_type>();
  else if constexpr (is_optional<T>) return 1 + max_field_size<typename T::value_type>();
  else if constexpr (is_std_array<T>) return std::tuple_size_v<T> * max_field_size<typename T::value_type>();
  else if constexpr (boost::hana::Struct<T>::value) return max_body_size<T>();
  else return 0;
}

// Turns a hana::string into a fixed_string, so the field name shows up in a
// diagnostic as text.
template <char... Cs>
constexpr auto to_fixed(boost::hana::string<Cs...>) {
  constexpr char text[] = {Cs..., '\0'};
  return fixed_string<sizeof...(Cs) + 1>(text);
}

// The compiler names these in its error: the schema, the field, and the fix.
// Declared, never defined (the {fmt} way to put a diagnosis in a type name).
template <class SchemaT, fixed_string Field, class FieldType>
struct unbounded_field_use_bounded_string_or_bounded_vector;
template <class SchemaT, fixed_string Field, class FieldType>
struct enum_field_needs_zguard_enum_values;
template <class SchemaT, fixed_string Field, class FieldType>
struct unsupported_field_type;

template <class S>
constexpr bool check_fields();

template <class S, fixed_string Name, class F>
constexpr bool check_field() {
  if constexpr (is_unbounded<F>) {
    static_assert(dependent_false<F>,
                  "zguard::schema: a field has an unbounded type (std::string, std::string_view or "
                  "std::vector); use zguard::bounded_string<N>, bounded_bytes<N> or "
                  "bounded_vector<T, N> (G9). The field is named in the next error.");
    return sizeof(unbounded_field_use_bounded_string_or_bounded_vector<S, Name, F>) > 0;
  } else if constexpr (std::is_enum_v<F> && !SchemaEnum<F>) {
    static_assert(dependent_false<F>,
                  "zguard::schema: an enum field needs its valid values declared: "
                  "template <> inline constexpr auto zguard::enum_values<E> = std::array{...};");
    return sizeof(enum_field_needs_zguard_enum_values<S, Name, F>) > 0;
  } else if constexpr (is_bounded_vector<F> || is_optional<F> || is_std_array<F>) {
    return check_field<S, Name, typename F::value_type>();
  } else if constexpr (boost::hana::Struct<F>::value) {
    return check_fields<F>();
  } else if constexpr (!is_field<F>()) {
    static_assert(dependent_false<F>, "zguard::schema: unsupported field type (G9)");
    return sizeof(unsupported_field_type<S, Name, F>) > 0;
  } else {
    return true;
  }
}

template <class S>
constexpr bool check_fields() {
  return boost::hana::unpack(boost::hana::accessors<S>(), [](auto... pairs) {
    return (check_field<S, to_fixed(boost::hana::first(pairs)),
                        std::remove_cvref_t<decltype(boost::hana::second(pairs)(std::declval<S&>()))>>() &&
            ...);
  });
}

}  // namespace detail

// Bytes of the identity header: format version, name length, name, version.
template <Schema S>
inline constexpr std::size_t schema_header_size = 1 + 1 + S::zguard_schema_id.name.size() + 2;

// The largest encoding of S, header included; checked at compile time.
template <Schema S>
inline constexpr std::size_t max_encoded_size = [] {
  static_assert(detail::check_fields<S>());
  static_assert(S::zguard_schema_id.name.size() >= 1 && S::zguard_schema_id.name.size() <= 64,
                "ZGUARD_SCHEMA(name, version): the name must be 1..64 characters");
  return schema_header_size<S> + detail::max_body_size<S>();
}();

}  // namespace v0
}  // namespace zguard
