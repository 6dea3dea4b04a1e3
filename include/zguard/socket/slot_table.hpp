// zguard/socket/slot_table.hpp - which types may fill each slot: only
// zguard's own tags. The rules compare with those exact types, so a derived
// or look-alike type (struct lan_tcp : tcp {}) could change a rule's
// outcome. One row a slot: the concept that admits, and the sentence when
// a slot holds anything else.
#pragma once

#include <zguard/batching.hpp>
#include <zguard/channel.hpp>
#include <zguard/detail/meta.hpp>
#include <zguard/detail/policy_set.hpp>
#include <zguard/domain.hpp>
#include <zguard/limits.hpp>
#include <zguard/pattern.hpp>
#include <zguard/permissions.hpp>
#include <zguard/security.hpp>
#include <zguard/signing.hpp>
#include <zguard/slots.hpp>
#include <zguard/transport.hpp>
#include <zguard/vouch.hpp>

namespace zguard {
inline namespace v0 {
namespace detail {

template <class Slot>
struct slot_row;

template <>
struct slot_row<slot::domain> {
  template <class T>
  static constexpr bool own = SecurityDomain<T>;
  template <class T>
  static consteval void say() {
    static_assert(own<T>, "zguard::socket: the domain slot holds a type that is not a zguard::domain<\"name\">; "
                          "derived or hand-written tags are refused (only zguard's own tags fill a slot)");
  }
};
template <>
struct slot_row<slot::transport> {
  template <class T>
  static constexpr bool own = Transport<T>;
  template <class T>
  static consteval void say() {
    static_assert(own<T>, "zguard::socket: the transport slot holds a type that is not a zguard transport tag "
                          "(tcp, ipc, inproc, pgm, epgm); derived or hand-written tags are refused");
  }
};
template <>
struct slot_row<slot::pattern> {
  template <class T>
  static constexpr bool own = Pattern<T>;
  template <class T>
  static consteval void say() {
    static_assert(own<T>, "zguard::socket: the pattern slot holds a type that is not a zguard pattern tag "
                          "(req, rep, dealer, router, pub, sub, xpub, xsub, push, pull, pair); derived or "
                          "hand-written tags are refused");
  }
};
template <>
struct slot_row<slot::mechanism> {
  template <class T>
  static constexpr bool own = Mechanism<T>;
  template <class T>
  static consteval void say() {
    static_assert(own<T>, "zguard::socket: the mechanism slot holds a type that is not a zguard mechanism tag "
                          "(curve_server, curve_client, plain_server, plain_client, null_mechanism, "
                          "insecure<\"reason\">); derived or hand-written tags are refused");
  }
};
template <>
struct slot_row<slot::limits> {
  template <class T>
  static constexpr bool own = Limits<T>;
  template <class T>
  static consteval void say() {
    static_assert(own<T>, "zguard::socket: the limits slot holds a type that is not a zguard::limits<...>; "
                          "derived or hand-written limits are refused");
  }
};
template <>
struct slot_row<slot::channel> {
  template <class T>
  static constexpr bool own = Channel<T>;
  template <class T>
  static consteval void say() {
    static_assert(own<T>, "zguard::socket: the channel slot holds a type that is not a zguard::service<...>, "
                          "topic<...> or stream<...>; derived or hand-written channels are refused");
  }
};
template <>
struct slot_row<slot::signing> {
  template <class T>
  static constexpr bool own = SigningPolicy<T>;
  template <class T>
  static consteval void say() {
    static_assert(own<T>, "zguard::socket: the signing slot holds a type that is not a zguard::signing<...>; "
                          "derived or hand-written signing policies are refused");
  }
};
template <>
struct slot_row<slot::vouch> {
  template <class T>
  static constexpr bool own = VouchPolicy<T>;
  template <class T>
  static consteval void say() {
    static_assert(own<T>, "zguard::socket: the vouch slot holds a type that is not a zguard::vouched<...>; "
                          "derived or hand-written policies are refused");
  }
};
template <>
struct slot_row<slot::batching> {
  template <class T>
  static constexpr bool own = BatchingPolicy<T>;
  template <class T>
  static consteval void say() {
    static_assert(own<T>, "zguard::socket: the batching slot holds a type that is not a zguard::batched<N, "
                          "MaxDelayMs>; derived or hand-written policies are refused");
  }
};
template <>
struct slot_row<slot::authorization> {
  template <class T>
  static constexpr bool own = AuthorizationPolicy<T>;
  template <class T>
  static consteval void say() {
    static_assert(own<T>, "zguard::socket: the authorization slot holds a type that is not zguard::authorized; "
                          "derived or hand-written policies are refused");
  }
};

// Whether every filled slot holds zguard's own type; each one that does
// not is said by its row (all are checked, not only the first).
template <class Slot, class T>
consteval bool own_tag_in() {
  if constexpr (is_missing<T>) {
    return true;
  } else {
    slot_row<Slot>::template say<T>();
    return slot_row<Slot>::template own<T>;
  }
}
template <class... Ps, class... Slots>
consteval bool own_tags_in(type_list<Slots...>) {
  return (own_tag_in<Slots, find_policy_t<Slots, Ps...>>() & ...);
}
template <class... Ps>
inline constexpr bool own_tags = own_tags_in<Ps...>(all_slots{});

}  // namespace detail
}  // namespace v0
}  // namespace zguard
