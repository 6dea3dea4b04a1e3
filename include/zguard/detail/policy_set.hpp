// zguard/detail/policy_set.hpp - finds a socket's policies by slot.
//
// The Boost.SML idea written with Hana: the policies are a hana::tuple_t,
// a slot is looked up with hana::find_if, and a missing slot yields
// missing<Slot>, which the socket's rules turn into a readable error. The
// slots are the one list detail::all_slots (slots.hpp).
#pragma once

#include <boost/hana/bool.hpp>
#include <boost/hana/count_if.hpp>
#include <boost/hana/find_if.hpp>
#include <boost/hana/optional.hpp>
#include <boost/hana/tuple.hpp>
#include <boost/hana/type.hpp>

#include <cstddef>
#include <type_traits>

#include <zguard/detail/closed.hpp>
#include <zguard/detail/meta.hpp>
#include <zguard/detail/zguard_socket.hpp>
#include <zguard/slots.hpp>

namespace zguard {
inline namespace v0 {
namespace detail {

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

// What the lookup sees of an argument that names no slot: nothing it finds.
template <class P>
using as_policy = std::conditional_t<Policy<P>, P, missing<void>>;

// Whether a policy's slot is one zguard has (a type naming another slot
// would be silently ignored). A concept: no specialization can add a slot.
template <class X>
concept known_slot = Policy<X> && list_has<typename X::zguard_slot>(all_slots{});

template <class Slot>
struct fills_slot {
  template <class T>
  constexpr auto operator()(T) const {
    return boost::hana::bool_c<std::is_same_v<typename T::type::zguard_slot, Slot>>;
  }
};

// The policy in Slot, or missing<Slot>.
template <class Slot, class... Ps>
using find_policy_t = typename std::remove_cvref_t<decltype(
    boost::hana::find_if(boost::hana::tuple_t<as_policy<Ps>...>, fills_slot<Slot>{})
        .value_or(boost::hana::type_c<missing<Slot>>))>::type;

template <class Slot, class... Ps>
inline constexpr std::size_t count_policy = std::remove_cvref_t<decltype(
    boost::hana::count_if(boost::hana::tuple_t<as_policy<Ps>...>, fills_slot<Slot>{}))>::value;

// Whether no slot of all_slots is filled twice.
template <class... Ps, class... Slots>
consteval bool each_slot_once(type_list<Slots...>) {
  return ((count_policy<Slots, Ps...> <= 1) && ...);
}
template <class... Ps>
inline constexpr bool slots_filled_once = each_slot_once<Ps...>(all_slots{});

}  // namespace detail
}  // namespace v0
}  // namespace zguard
