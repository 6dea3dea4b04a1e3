// zguard/transport.hpp - transports as types (G1, G11, G12).
//
// Each transport says whether libzmq can run a security mechanism over it
// (only stream transports: tcp, ipc), whether its peers are outside the
// process (so a max message size is required), and whether it is multicast.
#pragma once

#include <string_view>
#include <type_traits>

#include <zguard/detail/closed.hpp>
#include <zguard/slots.hpp>

namespace zguard {
inline namespace v0 {

struct tcp {
  using zguard_slot = slot::transport;
  static constexpr std::string_view scheme = "tcp";
  static constexpr bool carries_mechanism = true;
  static constexpr bool outside_process = true;
  static constexpr bool multicast = false;
};
struct ipc {
  using zguard_slot = slot::transport;
  static constexpr std::string_view scheme = "ipc";
  static constexpr bool carries_mechanism = true;
  static constexpr bool outside_process = true;
  static constexpr bool multicast = false;
};
// inproc has no mechanism: its confidentiality is the process's (G12).
struct inproc {
  using zguard_slot = slot::transport;
  static constexpr std::string_view scheme = "inproc";
  static constexpr bool carries_mechanism = false;
  static constexpr bool outside_process = false;
  static constexpr bool multicast = false;
};
// Reliable multicast: no mechanism, PUB/SUB only (G12).
struct pgm {
  using zguard_slot = slot::transport;
  static constexpr std::string_view scheme = "pgm";
  static constexpr bool carries_mechanism = false;
  static constexpr bool outside_process = true;
  static constexpr bool multicast = true;
};
struct epgm {
  using zguard_slot = slot::transport;
  static constexpr std::string_view scheme = "epgm";
  static constexpr bool carries_mechanism = false;
  static constexpr bool outside_process = true;
  static constexpr bool multicast = true;
};

namespace detail {
// Exactly these five types: a type derived from one, or written by hand with
// the same members, is not a transport (the rules compare with these types,
// so a look-alike would pass as "not tcp" and escape them).
struct transport_tags {
  static consteval bool of(...) { return false; }
  static consteval bool of(tcp**) { return true; }
  static consteval bool of(ipc**) { return true; }
  static consteval bool of(inproc**) { return true; }
  static consteval bool of(pgm**) { return true; }
  static consteval bool of(epgm**) { return true; }
};
template <class T>
concept is_transport_tag = closed_member<transport_tags, T>;
}  // namespace detail

// Transport: one of the tags above, exactly.
//   semantics: scheme is the endpoint prefix; carries_mechanism says whether
//   CURVE/PLAIN options have any effect; outside_process says whether bytes
//   arrive from other processes or hosts (then a max message size is needed).
template <class T>
concept Transport = detail::is_transport_tag<T>;

}  // namespace v0
}  // namespace zguard
