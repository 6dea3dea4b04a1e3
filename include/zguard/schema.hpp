// zguard/schema.hpp - typed message schemas with compile-time bounds (G9, G5).
//
// A schema is a struct defined with BOOST_HANA_DEFINE_STRUCT plus
// ZGUARD_SCHEMA("name", version). Every field has a bounded type, so the
// largest encoding of a schema is a compile-time constant that can be checked
// against a socket's max_message_size. Field types:
//
//   bool, std::int8_t .. std::uint64_t      fixed width, little-endian
//   float, double                           IEEE 754 bits, little-endian
//   enums with zguard::enum_values<E>      only the declared values decode
//   ranged<T, Min, Max>                     an integer checked on construction
//   bounded_string<N>, bounded_bytes<N>     at most N bytes (strings: UTF-8)
//   shared_bytes<N>                         bytes on the wire as bounded_bytes;
//                                           a socket decodes them by sharing
//                                           the received frame (no copy)
//   bounded_string_view<N>, bounded_bytes_view<N>
//                                           the same on the wire, decoded as
//                                           views into the message (no copy):
//                                           for decode() over a buffer the
//                                           caller keeps; channels refuse them
//   bounded_vector<T, N>, std::array<T, N>, std::optional<T>, nested schemas
//
// Each kind of field is one trait, detail::field_kind<T> (detail/fields/),
// which the checks here, the codec and the description all ask.
//
// Bounds: N of a string, bytes or vector is at most 4294967295 (the wire
// prefix); the largest encoding saturates at SIZE_MAX instead of wrapping,
// so no schema computes a small size it cannot keep (docs/bounds.md).
//
// std::string and std::vector do not compile as fields: the error names the
// field and the bounded type to use. The wire format is docs/wire-format.md.
#pragma once

#include <boost/hana/accessors.hpp>
#include <boost/hana/define_struct.hpp>
#include <boost/hana/first.hpp>
#include <boost/hana/at.hpp>
#include <boost/hana/length.hpp>
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

#include <zguard/detail/field_kind.hpp>
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

namespace detail {
// "name vN": how every note and description names a schema.
inline std::string schema_text(std::string_view name, std::uint16_t version) {
  return std::string(name) + " v" + std::to_string(version);
}
inline std::string schema_text(schema_id id) { return schema_text(id.name, id.version); }
}  // namespace detail

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

namespace detail {
// A length or count prefix is at most 4 bytes on the wire.
inline constexpr std::size_t max_field_bound = 0xffff'ffff;
}  // namespace detail

template <std::size_t N>
class bounded_string {
  static_assert(N <= detail::max_field_bound,
                "zguard::bounded_string<N>: N must be <= 4294967295 (the wire length prefix is 4 bytes at most)");

 public:
  static constexpr std::size_t max_size = N;
  bounded_string() = default;
  bounded_string(std::string_view s) : s_(check(s)) {}  // NOLINT: checked
  bounded_string(char const* s) : bounded_string(std::string_view(s)) {}  // NOLINT
  bounded_string(std::string const& s) : bounded_string(std::string_view(s)) {}  // NOLINT
  std::string const& str() const { return s_; }
  std::string_view view() const { return s_; }
  // Replaces the text with n checked bytes, reusing the storage (decoding
  // into a value again allocates nothing once it is large enough).
  void assign(char const* p, std::size_t n) { s_.assign(check(std::string_view(p, n))); }
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
  static_assert(N <= detail::max_field_bound,
                "zguard::bounded_bytes<N>: N must be <= 4294967295 (the wire length prefix is 4 bytes at most)");

 public:
  static constexpr std::size_t max_size = N;
  bounded_bytes() = default;
  bounded_bytes(std::vector<std::uint8_t> b) : b_(std::move(b)) {  // NOLINT: checked
    if (b_.size() > N) throw bound_error("zguard::bounded_bytes<N>: longer than N");
  }
  std::vector<std::uint8_t> const& bytes() const { return b_; }
  std::size_t size() const { return b_.size(); }
  // Replaces the bytes, reusing the storage (see bounded_string::assign).
  void assign(std::uint8_t const* p, std::size_t n) {
    if (n > N) throw bound_error("zguard::bounded_bytes<N>: longer than N");
    b_.assign(p, p + n);
  }
  bool operator==(bounded_bytes const&) const = default;

 private:
  std::vector<std::uint8_t> b_;
};

// At most N bytes that a socket decodes by sharing the received frame, not
// copying it (shared_bytes.hpp, which defines it; codec.hpp includes it).
template <std::size_t N>
class shared_bytes;

// Views: the same wire encoding as bounded_string / bounded_bytes, decoded
// without copying. Valid only while the decoded bytes live: for decode()
// over a buffer the caller keeps; a socket channel refuses them (channel.hpp).
template <std::size_t N>
class bounded_string_view {
  static_assert(N <= detail::max_field_bound,
                "zguard::bounded_string_view<N>: N must be <= 4294967295 (the wire length prefix is 4 bytes at most)");

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
  static_assert(N <= detail::max_field_bound,
                "zguard::bounded_bytes_view<N>: N must be <= 4294967295 (the wire length prefix is 4 bytes at most)");

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
  static_assert(N <= detail::max_field_bound,
                "zguard::bounded_vector<T, N>: N must be <= 4294967295 (the wire count prefix is 4 bytes at most)");

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

// Turns a hana::string into a fixed_string, so the field name shows up in a
// diagnostic as text.
template <char... Cs>
constexpr auto to_fixed(boost::hana::string<Cs...>) {
  constexpr char text[] = {Cs..., '\0'};
  return fixed_string<sizeof...(Cs) + 1>(text);
}

// A broken field is one static_assert in check_field: its instantiation
// line names the schema (S), the field (Name) and its type (F), and the
// message says the fix. fields_check walks the fields without lambdas and
// containers are unwrapped as types, so that line stays close to the error.
// The field's kind says why it is refused (field_kind<E>::verdict); the
// texts stay here, in the frame that names the field, so that one mistake
// stays one short diagnostic however many kinds there are.
template <class S, class Accessors = decltype(boost::hana::accessors<S>()),
          class Index = std::make_index_sequence<decltype(boost::hana::length(std::declval<Accessors>()))::value>>
struct fields_check;

template <class S, fixed_string Name, class F>
constexpr bool check_field() {
  using E = typename field_element<F>::type;  // F itself, or the element under its containers
  constexpr field_verdict verdict = field_kind<E>::verdict;
  if constexpr (verdict == field_verdict::unbounded) {
    static_assert(dependent_false<E>,
                  "zguard::schema: a field (schema S, field Name: see check_field [with ...] above) has an "
                  "unbounded type (std::string, std::string_view or std::vector); use zguard::bounded_string<N>, "
                  "bounded_bytes<N> or bounded_vector<T, N> (G9)");
    return false;
  } else if constexpr (verdict == field_verdict::not_ieee_float) {
    static_assert(dependent_false<E>,
                  "zguard::schema: a floating-point field (schema S, field Name: see check_field [with ...] "
                  "above) must be float or double (IEEE 754 binary32 / binary64 on the wire); long double "
                  "has no portable encoding");
    return false;
  } else if constexpr (verdict == field_verdict::enum_without_values) {
    static_assert(dependent_false<E>,
                  "zguard::schema: an enum field (schema S, field Name: see check_field [with ...] above) "
                  "needs its valid values declared: template <> inline constexpr auto zguard::enum_values<Enum> = "
                  "std::array{...};");
    return false;
  } else if constexpr (verdict == field_verdict::nested) {
    return fields_check<E>::value;
  } else if constexpr (!is_field<E>()) {
    static_assert(dependent_false<E>,
                  "zguard::schema: a field (schema S, field Name: see check_field [with ...] above) has a "
                  "type a schema cannot carry: integers, bool, enums with enum_values, ranged, bounded_string/bytes, "
                  "bounded_vector, std::optional, std::array and nested schemas (G9)");
    return false;
  } else {
    return true;
  }
}

template <class S, class Accessors, std::size_t... I>
struct fields_check<S, Accessors, std::index_sequence<I...>> {
  static constexpr bool value =
      (check_field<S, to_fixed(decltype(boost::hana::first(boost::hana::at_c<I>(std::declval<Accessors>()))){}),
                   std::remove_cvref_t<decltype(boost::hana::second(boost::hana::at_c<I>(std::declval<Accessors>()))(
                       std::declval<S&>()))>>() &&
       ...);
};

}  // namespace detail

// Bytes of the identity header: format version, name length, name, version.
template <Schema S>
inline constexpr std::size_t schema_header_size = 1 + 1 + S::zguard_schema_id.name.size() + 2;

// The largest encoding of S, header included; checked at compile time.
template <Schema S>
inline constexpr std::size_t max_encoded_size = [] {
  if (!detail::fields_check<S>::value) return std::size_t{0};  // the broken field is already reported
  static_assert(S::zguard_schema_id.name.size() >= 1 && S::zguard_schema_id.name.size() <= 64,
                "ZGUARD_SCHEMA(name, version): the name must be 1..64 characters");
  return detail::sat_add(schema_header_size<S>, detail::max_field_size<S>());
}();

namespace detail {
// Index of S's field with the largest encoding (the first, on a tie).
template <class S>
constexpr std::size_t largest_field_index() {
  return boost::hana::unpack(boost::hana::accessors<S>(), [](auto... pairs) {
    std::size_t sizes[] = {
        max_field_size<std::remove_cvref_t<decltype(boost::hana::second(pairs)(std::declval<S&>()))>>()...};
    std::size_t best = 0;
    for (std::size_t i = 1; i < sizeof...(pairs); ++i)
      if (sizes[i] > sizes[best]) best = i;
    return best;
  });
}
template <class S>
inline constexpr auto largest_field_name = to_fixed(
    decltype(boost::hana::first(boost::hana::at_c<largest_field_index<S>()>(boost::hana::accessors<S>()))){});
template <class S>
inline constexpr std::size_t largest_field_size = max_field_size<std::remove_cvref_t<decltype(boost::hana::second(
    boost::hana::at_c<largest_field_index<S>()>(boost::hana::accessors<S>()))(std::declval<S&>()))>>();
}  // namespace detail

// A socket whose channel can carry a message larger than its
// max_message_size<N> fails here; the compiler's "In instantiation of" line
// shows the sizes and the largest field as this template's arguments.
template <class Schema, std::size_t max_encoded, std::size_t max_message_size, fixed_string largest_field,
          std::size_t largest_field_max>
consteval bool schema_too_large() {
  static_assert(max_encoded <= max_message_size,
                "zguard::socket: a schema of the channel can encode to more bytes than the socket's "
                "max_message_size<N> (sizes and largest field: see schema_too_large [with ...] above); "
                "raise N or tighten the schema's bounds (G5, G9)");
  return false;
}

}  // namespace v0
}  // namespace zguard

// The field kinds (detail/field_kind.hpp), after the types they describe.
#include <zguard/detail/fields/bytes.hpp>
#include <zguard/detail/fields/containers.hpp>
#include <zguard/detail/fields/scalar.hpp>
