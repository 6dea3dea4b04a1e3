// zguard/socket.hpp - a socket whose type is its security policy.
//
//   zguard::socket<Domain, Transport, Pattern, Mechanism, Limits
//                  [, Channel] [, signing<...>] [, vouched<...>]
//                  [, batched<N, MaxDelayMs> | coalesced<N, GapUs>] [, authorized]>
//
// in any order (policies are found by slot). How the type is assembled:
//
//   socket/traits.hpp          the policies by slot, the rules (socket/rules.hpp,
//                              socket/part_rules.hpp),
//                              what the socket is and offers (typed, signs, ...):
//                              zguard::traits_of<S>, the one view users read
//   socket/slot_table.hpp      which of zguard's own types fill each slot
//   socket/arguments.hpp       where each constructor argument sits
//   socket/handle.hpp          the libzmq socket it owns: options (socket/options.hpp),
//                              mechanism (socket/mechanism.hpp), monitor, a feed's
//                              gate (socket/feed_gate.hpp), sessions held
//   socket/frames.hpp          frames in and out under the session checks
//   socket/core.hpp            every socket: bind/connect, audit (socket/profile.hpp),
//                              readiness for an external event loop
//   socket/raw_frames.hpp      no channel: raw frames
//   socket/typed_messages.hpp  a channel: its schemas, with the ROUTER part
//                              (socket/routing.hpp), signing (socket/sealing.hpp),
//                              rate limits and vouches
//   socket/refused.hpp         a type that breaks a rule: silent stand-ins
//                              after the one static_assert that said why
//
// A socket's own scope has its operations only: what the type is, users
// read as zguard::traits_of<S> (pattern_type, typed, offers_send, ...).
//
// Both families use the same names: send, receive, call (REQ), serve (REP,
// ROUTER); a raw socket also has receive_multipart and subscribe (SUB). An
// operation that does not apply is still a member, whose body says why.
#pragma once

#include <type_traits>

// First, so that a constructor argument's refusal is printed under a short
// "included from" chain (one mistake, one short message).
#include <zguard/socket/argument_rules.hpp>

#include <zguard/socket/access.hpp>
#include <zguard/socket/core.hpp>
#include <zguard/socket/deliveries.hpp>
#include <zguard/socket/raw_frames.hpp>
#include <zguard/socket/refused.hpp>
#include <zguard/socket/slot_table.hpp>
#include <zguard/socket/traits.hpp>
#include <zguard/socket/typed_messages.hpp>

namespace zguard {
inline namespace v0 {

// The facets follow from the traits; written out in the base clause (no
// alias) so a rule's diagnostic stays short. Final: a derived class would
// reach the core's protected frame I/O and libzmq handle (unsigned frames
// on a signed socket, options changed after bind).
template <class... Policies>
class socket final
    : public std::conditional_t<!detail::socket_traits<Policies...>::valid,
                                detail::refused_socket<detail::socket_traits<Policies...>>,
                                std::conditional_t<detail::socket_traits<Policies...>::typed,
                                                   detail::typed_messages<detail::socket_traits<Policies...>>,
                                                   detail::raw_frames<detail::socket_traits<Policies...>>>> {
  using traits = detail::socket_traits<Policies...>;
  using facets = std::conditional_t<!traits::valid, detail::refused_socket<traits>,
                                    std::conditional_t<traits::typed, detail::typed_messages<traits>,
                                                       detail::raw_frames<traits>>>;

  // The facets' injected class names, hidden: from outside, S::socket_core
  // and the rest would name the internal traits by deduction.
  using socket_handle = void;
  using socket_frames = void;
  using socket_core = void;
  using send_path = void;
  using receive_path = void;
  using service_protocol = void;
  using typed_messages = void;
  using raw_frames = void;
  using refused_socket = void;

 public:
  using facets::facets;
};

}  // namespace v0
}  // namespace zguard
