// zguard/detail/policy_set.hpp - finds a socket's policies by slot.
//
// The Boost.SML idea written with Hana: the policies are a hana::tuple_t,
// a slot is looked up with hana::find_if, and a missing slot yields
// missing<Slot>, which the socket's rules turn into a readable error.
#pragma once

#include <boost/hana/bool.hpp>
#include <boost/hana/count_if.hpp>
#include <boost/hana/find_if.hpp>
#include <boost/hana/optional.hpp>
#include <boost/hana/tuple.hpp>
#include <boost/hana/type.hpp>

#include <type_traits>

namespace zguard {
inline namespace v0 {
template <class... Policies>
class socket;

namespace detail {

// Exactly zguard::socket<...>: proxies and pipelines take only these.
template <class X>
inline constexpr bool is_zguard_socket = false;
template <class... Ps>
inline constexpr bool is_zguard_socket<socket<Ps...>> = true;

template <class Slot>
struct missing {
  using zguard_slot = Slot;
};
template <class T>
inline constexpr bool is_missing = false;
template <class Slot>
inline constexpr bool is_missing<missing<Slot>> = true;

template <class T>
concept Policy = requires { typename T::zguard_slot; };

template <class Slot>
struct fills_slot {
  template <class T>
  constexpr auto operator()(T) const {
    return boost::hana::bool_c<std::is_same_v<typename T::type::zguard_slot, Slot>>;
  }
};

template <class Slot, class... Ps>
using find_policy_t = typename std::remove_cvref_t<decltype(
    boost::hana::find_if(boost::hana::tuple_t<Ps...>, fills_slot<Slot>{})
        .value_or(boost::hana::type_c<missing<Slot>>))>::type;

template <class Slot, class... Ps>
inline constexpr std::size_t count_policy =
    std::remove_cvref_t<decltype(boost::hana::count_if(boost::hana::tuple_t<Ps...>, fills_slot<Slot>{}))>::value;

template <class T>
inline constexpr bool dependent_false = false;

template <class... Ts>
struct type_list {};

}  // namespace detail
}  // namespace v0
}  // namespace zguard
