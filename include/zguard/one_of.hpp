// zguard/one_of.hpp - one channel carrying several schemas (G9).
//
//   zguard::one_of<A, B, C>   any of the schemas A, B, C; usable wherever a
//                             channel takes a schema: stream<one_of<...>>,
//                             topic<"name", one_of<...>>, service<one_of<...>,
//                             one_of<...>>
//
// A one_of is a std::variant of its alternatives (std::visit, std::get and
// std::holds_alternative work on it). It adds no bytes to the wire: each
// message already names its schema and version in its header, so the
// decoder (codec_one_of.hpp, included below) reads the header, picks the
// alternative with exactly that name and version, and decodes the message
// as that schema alone. A message of any other schema or version is
// refused (wrong_schema / wrong_version) with a detail naming what arrived
// and what this reader takes.
//
// Rules, checked at compile time: at least two alternatives, each a schema
// (no one_of inside a one_of), no two with the same name and version.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include <zguard/codec.hpp>
#include <zguard/codec_one_of.hpp>  // detail::is_one_of; decode<V>, decode_into for a one_of
#include <zguard/detail/policy_set.hpp>
#include <zguard/schema.hpp>

namespace zguard {
inline namespace v0 {

namespace detail {

// What a channel may name as its message: a schema or a one_of of schemas.
template <class T>
inline constexpr bool carriable = Schema<T> || is_one_of<T>;

template <class... A>
constexpr bool distinct_schema_ids() {
  constexpr schema_id ids[] = {A::zguard_schema_id...};
  for (std::size_t i = 0; i < sizeof...(A); ++i)
    for (std::size_t j = i + 1; j < sizeof...(A); ++j)
      if (ids[i].name == ids[j].name && ids[i].version == ids[j].version) return false;
  return true;
}

// One static_assert per broken rule, the first that fails.
template <class... A>
consteval bool check_one_of() {
  if constexpr (sizeof...(A) < 2) {
    static_assert(dependent_false<one_of<A...>>,
                  "zguard::one_of<A, B, ...>: at least two alternatives; a channel of one schema names "
                  "that schema itself");
    return false;
  } else if constexpr ((is_one_of<A> || ...)) {
    static_assert(dependent_false<one_of<A...>>,
                  "zguard::one_of<A, B, ...>: a one_of cannot be an alternative of a one_of; list its "
                  "schemas in the outer one_of instead");
    return false;
  } else if constexpr (!(Schema<A> && ...)) {
    static_assert(dependent_false<one_of<A...>>,
                  "zguard::one_of<A, B, ...>: every alternative must be a schema (a Hana struct with "
                  "ZGUARD_SCHEMA(name, version))");
    return false;
  } else if constexpr (!distinct_schema_ids<A...>()) {
    static_assert(dependent_false<one_of<A...>>,
                  "zguard::one_of<A, B, ...>: two alternatives have the same schema name and version; the "
                  "receiver could not tell them apart on the wire (give each its own name or version)");
    return false;
  } else {
    return true;
  }
}

}  // namespace detail

template <class... Alternatives>
class one_of : public std::variant<Alternatives...> {
 public:
  // The rules above, checked when the type is first used (a member alias is
  // instantiated with the class, so no use can skip it).
  using zguard_rules_hold = std::bool_constant<detail::check_one_of<Alternatives...>()>;
  using variant_type = std::variant<Alternatives...>;
  using variant_type::variant;
  using variant_type::operator=;

  static constexpr std::size_t alternatives = sizeof...(Alternatives);
  // Whether T is one of the alternatives (what a socket of this channel may send).
  template <class T>
  static constexpr bool holds_type = (std::is_same_v<T, Alternatives> || ...);

  variant_type const& as_variant() const& { return *this; }
  variant_type& as_variant() & { return *this; }

  // The schema name and version of the alternative held.
  schema_id id() const {
    return std::visit([](auto const& a) { return std::remove_cvref_t<decltype(a)>::zguard_schema_id; }, as_variant());
  }

  // "a v1, b v2": the alternatives, in declaration order (for diagnostics).
  static std::string description() {
    std::string s;
    ((s += (s.empty() ? "" : ", ") + detail::schema_text(Alternatives::zguard_schema_id)), ...);
    return s;
  }
};

namespace detail {

// The largest encoding of a channel's message: the largest alternative's.
// Whether T's own rules hold (a schema's are checked by max_encoded_size).
template <class T>
constexpr bool carried_rules_hold() {
  if constexpr (is_one_of<T>) return T::zguard_rules_hold::value;
  else return true;
}

template <class T>
constexpr std::size_t max_carried_size() {
  if constexpr (!carried_rules_hold<T>()) return 0;  // already reported
  else if constexpr (is_one_of<T>)
    return []<class... A>(std::type_identity<one_of<A...>>) { return std::max({max_encoded_size<A>...}); }(
        std::type_identity<T>{});
  else return max_encoded_size<T>;
}

// The schema with the largest encoding among A... (the first, on a tie).
template <class A, class... More>
struct largest_of {
  using type = A;
};
template <class A, class B, class... More>
struct largest_of<A, B, More...> {
  using rest = typename largest_of<B, More...>::type;
  using type = std::conditional_t<(max_encoded_size<A> >= max_encoded_size<rest>), A, rest>;
};

// T itself, or the alternative of a one_of with the largest encoding (the
// one a size diagnostic names). channel.hpp adds topic sets.
template <class T>
struct largest_schema {
  using type = T;
};
template <class... A>
struct largest_schema<one_of<A...>> : largest_of<A...> {};
template <class T>
using largest_schema_t = typename largest_schema<T>::type;

// Whether any alternative holds a view field (a channel refuses them).
template <class T>
constexpr bool carries_view_field() {
  if constexpr (is_one_of<T>)
    return []<class... A>(std::type_identity<one_of<A...>>) { return (has_view_field<A>() || ...); }(
        std::type_identity<T>{});
  else return has_view_field<T>();
}

// Whether a socket whose channel carries Carried may send (or receive) Msg.
template <class Carried, class Msg>
constexpr bool carries() {
  if constexpr (std::is_same_v<Carried, Msg>) return true;
  else if constexpr (is_one_of<Carried>) return Carried::template holds_type<Msg>;
  else return false;
}

// The schema all alternatives share (same name, other versions), else empty.
template <class T>
constexpr std::string_view common_schema_name() {
  if constexpr (is_one_of<T>)
    return []<class A, class... B>(std::type_identity<one_of<A, B...>>) {
      return ((B::zguard_schema_id.name == A::zguard_schema_id.name) && ...) ? A::zguard_schema_id.name
                                                                             : std::string_view{};
    }(std::type_identity<T>{});
  else return T::zguard_schema_id.name;
}

}  // namespace detail

// Exact encoded size of the alternative held (header included).
template <class V>
  requires detail::is_one_of<V>
std::size_t encoded_size(V const& value) {
  return std::visit([](auto const& a) { return encoded_size(a); }, value.as_variant());
}

// Encodes the alternative held; as encode_into for a schema.
template <class V>
  requires detail::is_one_of<V>
std::size_t encode_into(V const& value, std::uint8_t* out) {
  return std::visit([out](auto const& a) { return encode_into(a, out); }, value.as_variant());
}

template <class V>
  requires detail::is_one_of<V>
std::vector<std::uint8_t> encode(V const& value) {
  std::vector<std::uint8_t> out(encoded_size(value));
  encode_into(value, out.data());
  return out;
}

}  // namespace v0
}  // namespace zguard
