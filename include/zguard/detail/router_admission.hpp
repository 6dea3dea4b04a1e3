// zguard/detail/router_admission.hpp - the ROUTER rules (G8), written once
// for the typed ROUTER (socket/routing.hpp) and the queue proxy's front
// (proxy.hpp): which routing ids are let in, which key each is bound to,
// where a message's payload starts, and the events of a refusal.
#pragma once

#include <zmq.hpp>

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include <zguard/detail/connections.hpp>
#include <zguard/detail/monitor.hpp>
#include <zguard/events.hpp>
#include <zguard/router.hpp>

namespace zguard {
inline namespace v0 {
namespace detail {

// A ROUTER's message is [routing id] [a REQ peer's envelope, up to the
// empty delimiter] payload frames. Schema messages, envelope frames and
// vouches are never empty, so the first empty frame after the routing id
// is the delimiter; without one (a DEALER peer) the payload starts at 1.
struct route_frames {
  std::size_t delimiter = 0;  // index of the empty frame, or the frame count when there is none
  bool has_delimiter = false;
  std::size_t payload_at = 1;  // the first frame after the address
};
inline route_frames scan_route(std::span<zmq::message_t const> f) {
  route_frames r;
  r.delimiter = 1;
  while (r.delimiter < f.size() && f[r.delimiter].size() != 0) ++r.delimiter;
  r.has_delimiter = r.delimiter < f.size();
  r.payload_at = r.has_delimiter ? r.delimiter + 1 : 1;
  return r;
}

class router_admission {
 public:
  struct admitted {
    std::string routing_id;
    connection_id connection;  // the connection the message came in on ({} without a monitor)
  };

  // The ROUTER rules for one received message f, in order: the routing id
  // is one libzmq assigned, it is bound to the key (user_id) that first
  // presented it, and then `charge` (the sender's rate limit, where the
  // caller applies it here) lets it pass. nullopt when refused; the id and
  // binding refusals are logged here, `charge` logs its own.
  // monitor: the ROUTER's own (network transports), else nullptr.
  template <class Charge>
  std::optional<admitted> admit(std::span<zmq::message_t const> f, std::string_view user_id, std::string_view address,
                                socket_monitor* monitor, event_log& log, std::string const& label, Charge&& charge) {
    std::string routing_id = f.front().to_string();
    if (!libzmq_assigned_routing_id(routing_id)) {
      // A peer-chosen id could be one another peer used: refused, never
      // answered, so no reply can ever follow an id to a new owner.
      log.emit("router.peer_chosen_id", severity::warning,
               {{"socket", label},
                {"routing_id", peer_handle::hex(routing_id)},
                {"user_id", std::string(user_id)},
                {"address", std::string(address)}});
      return std::nullopt;
    }
    auto const connection = monitor ? monitor->connection_of(f.back()) : connection_id{};
    if (bindings_.check(routing_id, user_id, connection, address) ==
        identity_bindings::verdict::belongs_to_another) {
      // Another key presents a routing id bound to someone else: never
      // delivered, never answered (the answer would go to that id).
      log.emit("router.identity_mismatch", severity::warning,
               {{"socket", label},
                {"routing_id", peer_handle::hex(routing_id)},
                {"bound_user_id", *bindings_.owner(routing_id)},
                {"user_id", std::string(user_id)},
                {"address", std::string(address)}});
      return std::nullopt;
    }
    if (!charge()) return std::nullopt;
    return admitted{std::move(routing_id), connection};
  }
  std::optional<admitted> admit(std::span<zmq::message_t const> f, std::string_view user_id, std::string_view address,
                                socket_monitor* monitor, event_log& log, std::string const& label) {
    return admit(f, user_id, address, monitor, log, label, [] { return true; });
  }

  // A reply to routing_id (raw bytes) is not sent: logged with why.
  static void refuse_reply(event_log& log, std::string const& label, std::string_view routing_id,
                           std::string_view user_id, std::string_view reason) {
    log.emit("router.stale_peer", severity::warning,
             {{"socket", label},
              {"routing_id", peer_handle::hex(routing_id)},
              {"user_id", std::string(user_id)},
              {"reason", std::string(reason)}});
  }

  identity_bindings const& bindings() const { return bindings_; }

 private:
  identity_bindings bindings_;
};

}  // namespace detail
}  // namespace v0
}  // namespace zguard
