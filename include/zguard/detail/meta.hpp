// zguard/detail/meta.hpp - small type-level helpers every part may use: a
// list of types, the n-th of a pack, a false that waits for instantiation,
// and the empty member a part keeps where it does not apply.
#pragma once

#include <cstddef>
#include <tuple>
#include <type_traits>

namespace zguard {
inline namespace v0 {
namespace detail {

// false, but only once T is known: a static_assert in a discarded
// `if constexpr` branch fires only when that branch is instantiated.
template <class T>
inline constexpr bool dependent_false = false;

template <class... Ts>
struct type_list {};

// Whether T is one of the list's types.
template <class T, class... Ts>
consteval bool list_has(type_list<Ts...>) {
  return (std::is_same_v<T, Ts> || ...);
}

// The I-th of A..., or void when there is none (a short argument list: the
// check that reads it then says what is missing).
template <std::size_t I, class... A>
struct nth_type {
  using type = void;
};
template <std::size_t I, class... A>
  requires(I < sizeof...(A))
struct nth_type<I, A...> {
  using type = std::tuple_element_t<I, std::tuple<A...>>;
};

// The member a socket keeps where a part does not apply (no_unique_address).
struct no_part {};

}  // namespace detail
}  // namespace v0
}  // namespace zguard
