// zguard/detail/connections.hpp - which connection a message came from.
//
// A ROUTER routing id names whichever connection holds it now; after a
// disconnect another peer may take it. Replies are therefore tied to the
// connection the request arrived on, identified by its file descriptor and
// a generation counted from the socket's monitor events (G8).
#pragma once

#include <zmq.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <optional>
#include <unordered_map>
#include <utility>
#include <vector>

namespace zguard {
inline namespace v0 {
namespace detail {

// One network connection of a socket: its file descriptor and the serial
// number of its opening on this socket (the kernel reuses descriptor
// numbers; serials are never reused).
struct connection_id {
  int fd = -1;  // -1: inproc, which has no connections to tell apart
  std::uint64_t generation = 0;
  friend bool operator==(connection_id const&, connection_id const&) = default;
};

// Open connections as the monitor reported them. libzmq emits ACCEPTED or
// CONNECTED before a connection can deliver anything, and DISCONNECTED
// before it releases the connection's ROUTER routing id; so after the
// pending events are read, a connection that is not open here cannot be
// the one a routing id now leads to.
class connection_table {
 public:
  // inode: the socket's, as fstat saw it when the event was read (0 if it
  // could not), so a cut can tell a descriptor number reused since.
  void opened(int fd, unsigned long inode = 0) {
    fds_[fd] = {++serial_, true, inode, std::chrono::steady_clock::now()};
  }
  void closed(int fd) {
    if (auto it = fds_.find(fd); it != fds_.end()) it->second.open = false;
    if (fds_.size() > 4096) std::erase_if(fds_, [](auto const& kv) { return !kv.second.open; });
  }
  // The connection a message read from fd came from (fd -1: inproc).
  connection_id current(int fd) const {
    if (fd < 0) return {};
    auto it = fds_.find(fd);
    return {fd, it == fds_.end() || !it->second.open ? 0 : it->second.generation};
  }
  // Every connection open now: its descriptor and the inode seen at opening.
  std::size_t open_count() const {
    return std::size_t(std::count_if(fds_.begin(), fds_.end(), [](auto const& kv) { return kv.second.open; }));
  }
  std::vector<std::pair<int, unsigned long>> open_connections() const {
    std::vector<std::pair<int, unsigned long>> out;
    for (auto const& [fd, st] : fds_)
      if (st.open) out.emplace_back(fd, st.inode);
    return out;
  }
  // What the monitor said of fd: nothing yet (nullopt), or whether it is
  // open, the inode seen at opening and when that was.
  struct fd_state {
    bool open;
    unsigned long inode;
    std::chrono::steady_clock::time_point opened_at;
  };
  std::optional<fd_state> state_of(int fd) const {
    auto it = fds_.find(fd);
    if (it == fds_.end()) return std::nullopt;
    return fd_state{it->second.open, it->second.inode, it->second.opened_at};
  }
  bool open(connection_id c) const {
    if (c.fd < 0) return true;
    if (c.generation == 0) return false;  // never seen open: fail closed
    auto it = fds_.find(c.fd);
    return it != fds_.end() && it->second.open && it->second.generation == c.generation;
  }

 private:
  struct state {
    std::uint64_t generation = 0;
    bool open = false;
    unsigned long inode = 0;
    std::chrono::steady_clock::time_point opened_at{};
  };
  std::unordered_map<int, state> fds_;
  std::uint64_t serial_ = 0;
};

// The file descriptor a received frame came through, -1 for inproc.
// (ZMQ_SRCFD: deprecated in favour of metadata, but the only per-message
// link to the connection that libzmq 4.3 offers.)
inline int source_fd(zmq::message_t const& m) {
  int const fd = zmq_msg_get(const_cast<zmq_msg_t*>(m.handle()), ZMQ_SRCFD);
  return fd < 0 ? -1 : fd;
}

}  // namespace detail
}  // namespace v0
}  // namespace zguard
