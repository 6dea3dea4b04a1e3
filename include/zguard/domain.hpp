// zguard/domain.hpp - security domains (G10).
//
// A domain names a trust zone ("payments", "telemetry"). Contexts, sockets,
// inproc endpoints and authenticators carry their domain in their type, so a
// socket of one domain cannot be made from, bound in, or connected to the
// parts of another: that is a compile error, not a review comment. The name
// is also the ZAP domain every server socket of the domain sets.
#pragma once

#include <string_view>
#include <type_traits>

#include <zguard/detail/closed.hpp>
#include <zguard/fixed_string.hpp>
#include <zguard/slots.hpp>

namespace zguard {
inline namespace v0 {

template <fixed_string Name>
struct domain {
  static_assert(Name.size() > 0 && Name.size() <= 254,
                "zguard::domain<\"name\">: the name must be 1..254 characters "
                "(it is sent as the ZAP domain)");
  using zguard_slot = slot::domain;
  static constexpr std::string_view name = Name.view();
};

namespace detail {
// Only domain<"name"> itself: a type derived from a domain can hide `name`
// with its own (an empty one makes libzmq skip ZAP on a CURVE server), past
// the length check above.
struct domain_tags {
  static consteval bool of(...) { return false; }
  template <fixed_string Name>
  static consteval bool of(domain<Name>**) { return true; }
};
template <class T>
concept is_domain_tag = closed_member<domain_tags, T>;
}  // namespace detail

// SecurityDomain: a type made by zguard::domain<"name">, exactly.
//   semantics: T::name is the ZAP domain and the label in every event.
template <class T>
concept SecurityDomain = detail::is_domain_tag<T>;

}  // namespace v0
}  // namespace zguard
