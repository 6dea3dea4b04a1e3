// zguard/detail/zguard_socket.hpp - whether a type is exactly a
// zguard::socket<...>: proxies, links and pipelines take only these.
#pragma once

#include <zguard/detail/closed.hpp>

namespace zguard {
inline namespace v0 {
template <class... Policies>
class socket;

namespace detail {

struct zguard_sockets {
  static consteval bool of(...) { return false; }
  template <class... Ps>
  static consteval bool of(socket<Ps...>**) { return true; }
};
template <class X>
concept is_zguard_socket = closed_member<zguard_sockets, X>;

}  // namespace detail
}  // namespace v0
}  // namespace zguard
