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

#include <zguard/detail/closed.hpp>

namespace zguard {
inline namespace v0 {
template <class... Policies>
class socket;

namespace detail {

// Exactly zguard::socket<...>: proxies and pipelines take only these.
struct zguard_sockets {
  static consteval bool of(...) { return false; }
  template <class... Ps>
  static consteval bool of(socket<Ps...>**) { return true; }
};
template <class X>
concept is_zguard_socket = closed_member<zguard_sockets, X>;

template <class Slot>
struct missing {
  using zguard_slot = Slot;
};
struct missing_slots {
  static consteval bool of(...) { return false; }
  template <class Slot>
  static consteval bool of(missing<Slot>**) { return true; }
};
template <class T>
concept is_missing = closed_member<missing_slots, T>;

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
