// zguard/router.hpp - authenticated ROUTER peers (G8).
//
// libzmq lets every peer choose its own routing id (ZMQ_ROUTING_ID), and
// nothing ties that id to the key it authenticated with. A typed ROUTER
// therefore binds each routing id to the first authenticated user id (the
// ZAP User-Id: the client's CURVE key) that presented it, refuses messages
// whose routing id belongs to another key, and addresses replies only with
// a peer_handle it made itself from a received message: there is no way to
// make one from raw bytes, so a reply cannot be steered to a chosen id.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <vector>

#include <zguard/detail/connections.hpp>
#include <zguard/detail/policy_set.hpp>

namespace zguard {
inline namespace v0 {

namespace detail {
class router_peers;
}  // namespace detail

// Who sent a message to a ROUTER: the routing id, the authenticated user id
// it is bound to, and the address envelope to answer with (for a REQ peer
// the frames up to the empty delimiter, e.g. REQ_CORRELATE's request id).
// Copyable, comparable; made only by the socket.
class peer_handle {
  struct made_by_socket {};  // passkey: only a typed ROUTER (detail::router_peers) can name it

 public:
  // Any other construction (none, raw bytes, the private shape) stops here.
  template <class... A>
    requires(!(sizeof...(A) == 1 && (std::is_same_v<std::remove_cvref_t<A>, peer_handle> && ...)))
  explicit peer_handle(A&&...) {  // NOLINT: exists only to explain why it cannot be used
    static_assert(detail::dependent_false<detail::type_list<A...>>,
                  "zguard::peer_handle: a reply can only be addressed to a peer obtained from "
                  "receive() on the ROUTER; routing ids chosen by peers are not "
                  "authenticated, so none can be made from raw bytes (G8)");
  }
  peer_handle(peer_handle const&) = default;
  peer_handle& operator=(peer_handle const&) = default;

  std::string_view user_id() const { return user_id_; }
  std::string_view address() const { return address_; }  // Peer-Address of its request
  std::string routing_id_hex() const { return hex(routing_id_); }
  static std::string hex(std::string_view bytes) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string s;
    for (unsigned char c : bytes) s += {digits[c >> 4], digits[c & 15]};
    return s;
  }
  friend bool operator==(peer_handle const&, peer_handle const&) = default;

 private:
  peer_handle(made_by_socket, std::string routing_id, std::string user_id, std::string address)
      : routing_id_(std::move(routing_id)), user_id_(std::move(user_id)), address_(std::move(address)) {}
  friend class detail::router_peers;

  std::string routing_id_;
  std::string user_id_;
  std::string address_;
  std::vector<std::string> envelope_;  // frames after the routing id, up to the delimiter
  bool delimiter_ = false;             // the peer is a REQ: replies carry the empty delimiter frame
  detail::connection_id connection_;   // the connection the message came in on
};

namespace detail {

// Whether libzmq chose this routing id: a zero byte and a 32-bit counter,
// given to peers that set none and never reused on that socket. A peer
// that picks its own id (ZMQ_ROUTING_ID) can pick one another peer used
// and take it over once that peer disconnects, so typed ROUTERs and the
// queue proxy refuse such ids (router.peer_chosen_id,
// detail/router_admission.hpp).
inline bool libzmq_assigned_routing_id(std::string_view id) { return id.size() == 5 && id[0] == '\0'; }

// Routing id -> the user id that first presented it, and the connection
// its latest message came in on. Bounded: past max_bindings the table is
// cleared of its oldest half (a reconnecting peer simply binds again).
class identity_bindings {
 public:
  static constexpr std::size_t max_bindings = 65536;

  enum class verdict { bound_now, matches, belongs_to_another };

  verdict check(std::string const& routing_id, std::string_view user_id, connection_id connection = {},
                std::string_view address = {}) {
    auto it = bound_.find(routing_id);
    if (it == bound_.end()) {
      if (bound_.size() >= max_bindings) evict_oldest_half();
      bound_.emplace(routing_id, entry{std::string(user_id), ++tick_, connection, std::string(address)});
      return verdict::bound_now;
    }
    if (it->second.user_id != user_id) return verdict::belongs_to_another;
    it->second.last_used = ++tick_;
    it->second.connection = connection;
    if (it->second.address != address) it->second.address.assign(address);
    return verdict::matches;
  }
  // The address the routing id's latest message came from, or nullptr.
  std::string const* address(std::string const& routing_id) const {
    auto it = bound_.find(routing_id);
    return it == bound_.end() ? nullptr : &it->second.address;
  }
  // The user id the routing id is bound to, or nullptr.
  std::string const* owner(std::string const& routing_id) const {
    auto it = bound_.find(routing_id);
    return it == bound_.end() ? nullptr : &it->second.user_id;
  }
  // The connection the routing id's latest message came in on, or nullptr.
  connection_id const* connection(std::string const& routing_id) const {
    auto it = bound_.find(routing_id);
    return it == bound_.end() ? nullptr : &it->second.connection;
  }
  std::size_t size() const { return bound_.size(); }

 private:
  struct entry {
    std::string user_id;
    std::size_t last_used;
    connection_id connection;
    std::string address;
  };
  void evict_oldest_half() {
    std::size_t const cut = tick_ - bound_.size() / 2;
    std::erase_if(bound_, [&](auto const& kv) { return kv.second.last_used <= cut; });
  }
  std::unordered_map<std::string, entry> bound_;
  std::size_t tick_ = 0;
};

}  // namespace detail
}  // namespace v0
}  // namespace zguard
