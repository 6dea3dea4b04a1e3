// zguard/socket/routing.hpp - the ROUTER part of a typed socket (G8): which
// routing ids are accepted, the peer_handle made from each accepted
// message, and whether a reply may still go to that handle.
#pragma once

#include <zmq.hpp>

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include <zguard/detail/monitor.hpp>
#include <zguard/detail/router_admission.hpp>
#include <zguard/events.hpp>
#include <zguard/router.hpp>
#include <zguard/socket/deliveries.hpp>

namespace zguard {
inline namespace v0 {
namespace detail {

class router_peers {
 public:
  // The handle to reply to a ROUTER's message with, and in skip the number
  // of address frames (detail/router_admission.hpp: routing id, a REQ
  // peer's envelope and delimiter); nullopt when the routing id is refused
  // (logged). The sender's rate limit is the socket's, after this.
  // monitor: the ROUTER's own (network transports), else nullptr.
  std::optional<peer_handle> admit(std::span<zmq::message_t const> f, peer_info const& peer, socket_monitor* monitor,
                                   event_log& log, std::string const& label, std::size_t& skip) {
    auto const route = scan_route(f);
    skip = route.payload_at;
    auto in = admission_.admit(f, peer.user_id.view(), peer.peer_address.view(), monitor, log, label);
    if (!in) return std::nullopt;
    peer_handle from(peer_handle::made_by_socket{}, std::move(in->routing_id), peer.user_id.str(),
                     peer.peer_address.str());
    from.connection_ = in->connection;
    if (route.has_delimiter)
      for (std::size_t i = 1; i < route.delimiter; ++i) from.envelope_.push_back(f[i].to_string());
    from.delimiter_ = route.has_delimiter;
    return from;
  }

  // Whether a reply may go to `to`: its routing id is still bound to the key
  // it was received from, and (with a monitor) the request's connection is
  // still open; else logged. If the connection is gone, the routing id may
  // lead to someone else by now.
  bool may_reply(peer_handle const& to, socket_monitor* monitor, event_log& log, std::string const& label) {
    auto const* owner = admission_.bindings().owner(to.routing_id_);
    bool const connection_open = !monitor || monitor->still_open(to.connection_);
    if (owner && *owner == to.user_id_ && connection_open) return true;
    router_admission::refuse_reply(log, label, to.routing_id_, to.user_id(),
                                   connection_open ? "routing id bound to another key" : "connection closed");
    return false;
  }

  // The address frames of a reply: routing id, envelope, delimiter.
  template <class SendFrame>
  static bool send_address(peer_handle const& to, SendFrame&& send_more) {
    if (!send_more(zmq::buffer(to.routing_id_))) return false;
    for (auto const& frame : to.envelope_)
      if (!send_more(zmq::buffer(frame))) return false;
    return !to.delimiter_ || send_more(zmq::const_buffer(nullptr, 0));
  }

 private:
  router_admission admission_;
};

}  // namespace detail
}  // namespace v0
}  // namespace zguard
