// zguard/socket/access.hpp - zguard's own way to a socket's raw handle
// (zguard::poll, the proxy). Not for applications: through the handle a
// socket's security options could be changed. Each member takes exactly a
// zguard::socket<...>: a look-alike with a `sock_` of its own is refused.
#pragma once

#include <chrono>
#include <cstdint>
#include <string_view>

#include <zguard/detail/flag_scope.hpp>
#include <zguard/detail/limit_values.hpp>
#include <zguard/detail/monitor.hpp>
#include <zguard/detail/zguard_socket.hpp>
#include <zguard/permissions.hpp>

namespace zguard {
inline namespace v0 {
namespace detail {

struct socket_access {
  template <is_zguard_socket S>
  static void* handle(S& s) {
    return s.sock_.handle();
  }
  // An authorized socket's permissions (the forwarder applies its back's).
  template <is_zguard_socket S>
  static permissions const& permissions_of(S& s) {
    return *s.permissions_;
  }
  // A proxy side's sessions held against the ZAP policy of the moment
  // (socket_frames::admitted): false drops the message, its connection cut.
  template <is_zguard_socket S>
  static bool admitted(S& s, zmq::message_t const& last_frame) {
    return s.admitted(last_frame);
  }
  // A queue's reply to the client a routing id is bound to: still admitted?
  template <is_zguard_socket S>
  static bool admitted_identity(S& s, std::string_view user_id, std::string_view address) {
    return s.admitted_identity(user_id, address);
  }
  // A feed side (XPUB back) before it sends: cuts revoked subscribers.
  template <is_zguard_socket S>
  static void refresh_subscribers(S& s) {
    if constexpr (S::gates_subscribers) s.refresh_subscribers();
  }
  // The ROUTER's own monitor (owner mode), or nullptr.
  template <is_zguard_socket S>
  static socket_monitor* router_monitor(S& s) {
    if constexpr (S::monitors_connections) return s.monitor_.get();
    else return nullptr;
  }
  // A caller's (caller.hpp) DEALER with a service channel: its correlated
  // requests, the answers it received, and the ones it refused.
  template <is_zguard_socket S, class Req>
  static bool send_call(S& s, Req const& request, std::uint64_t call_id) {
    return s.send_call(request, call_id);
  }
  template <is_zguard_socket S>
  static bool claim_caller(S& s) {
    return s.claim_caller();
  }
  template <is_zguard_socket S>
  static void release_caller(S& s) {
    s.release_caller();
  }
  template <is_zguard_socket S>
  static auto next_call_answer(S& s) {
    return s.next_call_answer();
  }
  template <is_zguard_socket S>
  static void refuse_call_answer(S& s, std::uint64_t call_id, std::string_view reason) {
    s.refuse_call_answer(call_id, reason);
  }
  // A caller's call that ended as `status` (a call_status's number), for
  // the socket's metrics (metrics.hpp).
  template <is_zguard_socket S>
  static void count_call(S& s, std::size_t status, std::chrono::steady_clock::time_point started, bool answered) {
    s.metrics_meter().count_call(status, started, answered);
  }
  // The receive timeout the socket applies (declared, or chosen within a
  // ranged tag), also while an event loop holds it ready-only.
  template <is_zguard_socket S>
  static std::chrono::milliseconds recv_timeout(S& s) {
    return std::chrono::milliseconds(s.limits_.recv_timeout_ms);
  }
  // The limit values the socket applies (declared, or chosen within
  // ranged tags): a proxy fills its front's buckets at its rate.
  template <is_zguard_socket S>
  static limit_values const& applied_values(S& s) {
    return s.limits_;
  }
  // While one lives, the socket's receives do not wait (event_loop.hpp).
  template <is_zguard_socket S>
  class ready_only : flag_scope {
   public:
    explicit ready_only(S& s) : flag_scope(s.ready_only_) {}
  };
};

}  // namespace detail
}  // namespace v0
}  // namespace zguard
