// zguard/transport.hpp - transports as types (G1, G11, G12).
//
// Each transport says whether libzmq can run a security mechanism over it
// (only stream transports: tcp, ipc), whether its peers are outside the
// process (so a max message size is required), and whether it is multicast.
#pragma once

#include <string_view>
#include <type_traits>

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

// Transport: one of the tags above.
//   semantics: scheme is the endpoint prefix; carries_mechanism says whether
//   CURVE/PLAIN options have any effect; outside_process says whether bytes
//   arrive from other processes or hosts (then a max message size is needed).
template <class T>
concept Transport = std::is_same_v<typename T::zguard_slot, slot::transport> && requires {
  { T::scheme } -> std::convertible_to<std::string_view>;
  { T::carries_mechanism } -> std::convertible_to<bool>;
};

}  // namespace v0
}  // namespace zguard
