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
#include <zguard/events.hpp>
#include <zguard/router.hpp>
#include <zguard/socket/deliveries.hpp>

namespace zguard {
inline namespace v0 {
namespace detail {

class router_peers {
 public:
  // A ROUTER's message is [routing id] [a REQ peer's envelope, up to the
  // empty delimiter] payload frames (schema messages and envelope frames
  // are never empty). The handle to reply with, and in skip the number of
  // address frames; nullopt when the routing id is refused (logged).
  // monitor: the ROUTER's own (network transports), else nullptr.
  std::optional<peer_handle> admit(std::span<zmq::message_t const> f, peer_info const& peer, socket_monitor* monitor,
                                   event_log& log, std::string const& label, std::size_t& skip) {
    std::size_t delimiter = 1;
    while (delimiter < f.size() && f[delimiter].size() != 0) ++delimiter;
    bool const has_delimiter = delimiter < f.size();
    skip = has_delimiter ? delimiter + 1 : 1;
    std::string routing_id = f[0].to_string();
    if (!libzmq_assigned_routing_id(routing_id)) {
      // A peer-chosen id could be one another peer used: refused, never
      // answered, so no reply can ever follow an id to a new owner.
      log.emit("router.peer_chosen_id", severity::warning,
               {{"socket", label},
                {"routing_id", peer_handle::hex(routing_id)},
                {"user_id", peer.user_id},
                {"address", peer.peer_address}});
      return std::nullopt;
    }
    if (bindings_.check(routing_id, peer.user_id) == identity_bindings::verdict::belongs_to_another) {
      // Another key presents a routing id bound to someone else: never
      // delivered, never answered (the answer would go to that id).
      log.emit("router.identity_mismatch", severity::warning,
               {{"socket", label},
                {"routing_id", peer_handle::hex(routing_id)},
                {"bound_user_id", *bindings_.owner(routing_id)},
                {"user_id", peer.user_id},
                {"address", peer.peer_address}});
      return std::nullopt;
    }
    peer_handle from(peer_handle::made_by_socket{}, std::move(routing_id), peer.user_id.str(), peer.peer_address.str());
    if (monitor) from.connection_ = monitor->connection_of(f.back());
    if (has_delimiter)
      for (std::size_t i = 1; i < delimiter; ++i) from.envelope_.push_back(f[i].to_string());
    from.delimiter_ = has_delimiter;
    return from;
  }

  // Whether a reply may go to `to`: its routing id is still bound to the key
  // it was received from, and (with a monitor) the request's connection is
  // still open; else logged. If the connection is gone, the routing id may
  // lead to someone else by now.
  bool may_reply(peer_handle const& to, socket_monitor* monitor, event_log& log, std::string const& label) {
    auto const* owner = bindings_.owner(to.routing_id_);
    bool const connection_open = !monitor || monitor->still_open(to.connection_);
    if (owner && *owner == to.user_id_ && connection_open) return true;
    log.emit("router.stale_peer", severity::warning,
             {{"socket", label},
              {"routing_id", to.routing_id_hex()},
              {"user_id", std::string(to.user_id())},
              {"reason", connection_open ? "routing id bound to another key" : "connection closed"}});
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
  identity_bindings bindings_;
};

}  // namespace detail
}  // namespace v0
}  // namespace zguard
