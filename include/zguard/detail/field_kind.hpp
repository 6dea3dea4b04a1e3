// zguard/detail/field_kind.hpp - what a schema field is, as one trait per kind.
//
// field_kind<T> says everything zguard knows about a field type T: whether
// a schema may carry it, its largest encoding, whether it holds a view,
// why it is refused, its exact encoded size, how it is written and read,
// and its JSON description. The schema checks (schema.hpp), the codec
// (codec.hpp) and schema_description.hpp only call the generic functions
// below, so a new field kind is one specialization in one file:
//
//   detail/fields/scalar.hpp      bool, integers, float/double, enums, ranged
//   detail/fields/bytes.hpp       strings and bytes behind a length prefix
//   detail/fields/containers.hpp  bounded_vector, std::optional, std::array,
//                                 nested schemas
//
// A kind provides:
//   static constexpr field_verdict verdict;       carried, or why not
//   static constexpr bool field();                 may a schema carry it
//   static constexpr std::size_t max_size();       largest encoding
//   static constexpr bool view();                  a view anywhere inside
//   static std::size_t size(T const&);             exact encoding
//   template <class W> static void write(W&, T const&);
//   template <class R> static bool read(R&, T&);   false: R holds the error
//   static void describe(std::string&);            "kind" and its shape
//   using element = ...;                           containers: the item type
// The writer and reader (codec.hpp) reach the kinds as template
// parameters, so this layer needs no codec and schema.hpp stays below it.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace zguard {
inline namespace v0 {
namespace detail {

// Why a field type is refused, for check_field (schema.hpp): the message a
// user reads stays one static_assert in the frame that names the schema
// and the field, so its diagnostic does not grow with the kinds.
enum class field_verdict {
  carried,              // a field
  nested,               // a struct: its own fields are checked one by one
  unbounded,            // std::string, std::string_view, std::vector
  not_ieee_float,       // long double (or a non-IEEE float)
  enum_without_values,  // an enum with no zguard::enum_values<E>
  unknown,              // anything else
};

// Not a field kind. Only the compile-time answers exist, so a refused type
// fails at check_field's static_assert, not deep in the codec.
template <class T>
struct field_kind {
  static constexpr field_verdict verdict = field_verdict::unknown;
  static constexpr bool field() { return false; }
  static constexpr std::size_t max_size() { return 0; }
  static constexpr bool view() { return false; }
};

// The unbounded standard types: refused, with the bounded type to use.
struct unbounded_kind : field_kind<void> {
  static constexpr field_verdict verdict = field_verdict::unbounded;
};
template <class C, class Tr, class A>
struct field_kind<std::basic_string<C, Tr, A>> : unbounded_kind {};
template <class C, class Tr>
struct field_kind<std::basic_string_view<C, Tr>> : unbounded_kind {};
template <class T, class A>
struct field_kind<std::vector<T, A>> : unbounded_kind {};

// Width of the length / count prefix for at most N items: 1, 2 or 4 bytes.
constexpr std::size_t prefix_width(std::size_t n) { return n <= 0xff ? 1 : n <= 0xffff ? 2 : 4; }

// Largest-size arithmetic saturates at SIZE_MAX instead of wrapping, so a
// huge schema can never compute a small maximum and pass a size check.
inline constexpr std::size_t saturated_size = std::size_t(-1);
constexpr std::size_t sat_add(std::size_t a, std::size_t b) { return a > saturated_size - b ? saturated_size : a + b; }
constexpr std::size_t sat_mul(std::size_t a, std::size_t b) {
  return b != 0 && a > saturated_size / b ? saturated_size : a * b;
}

// The generic calls: one per question, each answered by T's kind.
template <class T>
constexpr bool is_field() {
  return field_kind<T>::field();
}
template <class T>
constexpr std::size_t max_field_size() {
  return field_kind<T>::max_size();
}
// Whether T holds a view field anywhere (views point into the decoded bytes).
template <class T>
constexpr bool has_view_field() {
  return field_kind<T>::view();
}
template <class T>
std::size_t field_size(T const& v) {
  return field_kind<T>::size(v);
}
template <class W, class T>
void write_field(W& w, T const& v) {
  field_kind<T>::write(w, v);
}
template <class R, class T>
bool read_field(R& r, T& v) {
  return field_kind<T>::read(r, v);
}
// {"kind":...,"max_size":N}: the kind writes what lies between.
template <class T>
void describe_type(std::string& out) {
  out += "{\"kind\":";
  field_kind<T>::describe(out);
  out += ",\"max_size\":" + std::to_string(max_field_size<T>()) + '}';
}

// The element type under container layers (bounded_vector, std::optional,
// std::array): check_field reports the element, whatever wraps it.
template <class F>
struct field_element {
  using type = F;
};
template <class F>
  requires requires { typename field_kind<F>::element; }
struct field_element<F> : field_element<typename field_kind<F>::element> {};

}  // namespace detail
}  // namespace v0
}  // namespace zguard
