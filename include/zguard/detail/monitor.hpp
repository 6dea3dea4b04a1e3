// zguard/detail/monitor.hpp - feeds a socket's monitor events to the log.
//
// libzmq reports handshake failures and disconnects only through
// zmq_socket_monitor; a thread per monitored socket reads that PAIR socket
// and turns events into security events (G15).
//
// A ROUTER also needs to know which connections are still open, to send a
// reply only over the connection its request came from (G8). Its monitor
// is read by the socket's own thread instead (monitor_mode::owner): events
// are logged the same way and also kept in a connection_table.
#pragma once

#include <zguard/detail/compiled.hpp>

#include <sys/socket.h>
#include <sys/stat.h>

#include <zmq.hpp>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <mutex>
#include <string>
#include <set>
#include <thread>
#include <vector>

#include <zguard/detail/connections.hpp>
#include <zguard/events.hpp>

namespace zguard {
inline namespace v0 {
namespace detail {

ZGUARD_DECL std::string next_monitor_address();

// Names of the monitor events we log, and whether an operator should see them.
ZGUARD_DECL bool describe_monitor_event(std::uint16_t ev, std::string& name, severity& level);

enum class monitor_mode {
  thread,  // a thread of its own reads and logs the events
  owner    // the owning socket's thread drains: events also kept in a connection_table
};

class socket_monitor {
 public:
  socket_monitor(zmq::context_t& ctx, zmq::socket_t& watched, event_log& log, std::string socket_label,
                 monitor_mode mode = monitor_mode::thread);
  socket_monitor(socket_monitor const&) = delete;
  socket_monitor& operator=(socket_monitor const&) = delete;
  ~socket_monitor();

  // Owner mode: reads every pending event without waiting.
  void drain();
  // Owner mode: the connection a message just received came in on (its
  // ACCEPTED/CONNECTED is read by now).
  connection_id connection_of(zmq::message_t const& last_frame) {
    drain();
    std::lock_guard lock(table_mu_);
    return connections_.current(source_fd(last_frame));
  }
  // Owner mode: whether c is still open. libzmq first processes pending
  // connection changes of the watched socket, so the events they caused
  // are read too: a routing id can only have moved on after its old
  // connection's DISCONNECTED.
  bool still_open(connection_id c) {
    (void)watched_.get(zmq::sockopt::events);
    drain();
    std::lock_guard lock(table_mu_);
    return connections_.open(c);
  }
  // Either mode (called from the watched socket's thread): shuts down
  // (shutdown(2)) every connection open now, after reading (owner mode)
  // the events of the changes libzmq has pending; libzmq then sees
  // each close as the peer's and reconnects as usual. A descriptor is cut
  // only while it still is the socket the monitor reported (same inode),
  // not a number the kernel gave to another socket since. The count cut.
  std::size_t cut_open_connections();
  // Either mode: shuts down the one connection a received message came in
  // on (ZMQ_SRCFD), once the monitor has reported it (the thread is given
  // a moment to); false when it cannot be told apart from a descriptor
  // the kernel reused (another socket now, or a connection opened after
  // `opened_before`: the message's own connection closed and its number
  // went to a newer one), or the message came over inproc.
  bool cut_connection_of(zmq::message_t const& last_frame,
                         std::chrono::steady_clock::time_point opened_before = std::chrono::steady_clock::time_point::max());
  // Handshakes that failed so far (any mode; read from the socket's thread
  // while the monitor's thread counts), and the event of the latest one.
  std::uint64_t handshake_failures() const { return handshake_failures_.load(); }
  std::uint64_t handshakes_succeeded() const { return handshakes_succeeded_.load(); }
  // Handshakes a peer refused with an authentication error (a ZAP denial:
  // our key or credentials are not allowed there), and the connections
  // whose handshake succeeded that are still open.
  std::uint64_t auth_refusals() const { return auth_refusals_.load(); }
  std::uint64_t sessions_up() const { return sessions_up_.load(); }
  // Connections open now (tcp, ipc), their handshake done or under way.
  std::uint64_t connections_open() const { return connections_open_.load(); }
  std::string last_handshake_failure() const;
  // Owner mode: for zmq_poll next to the watched socket.
  void* poll_item() { return pair_.handle(); }

 private:
  // One event; false when none was pending (or the monitor stopped).
  bool read_one(zmq::recv_flags flags);

  void run();

  zmq::socket_t& watched_;
  event_log& log_;
  std::string label_;
  zmq::socket_t pair_;
  connection_table connections_;
  std::mutex table_mu_;  // the thread writes connections_ while the owner cuts
  std::atomic<bool> stop_{false};
  std::atomic<std::uint64_t> handshake_failures_{0};
  std::atomic<std::uint64_t> handshakes_succeeded_{0};
  std::atomic<std::uint64_t> auth_refusals_{0};
  std::atomic<std::uint64_t> sessions_up_{0};
  std::atomic<std::uint64_t> connections_open_{0};
  std::set<int> up_;  // descriptors whose handshake succeeded, until DISCONNECTED (table_mu_)
  std::vector<int> handshaking_;  // descriptors opened, handshake not ended, oldest first (table_mu_)
  std::atomic<std::uint16_t> last_handshake_failure_{0};
  std::thread thread_;
};

}  // namespace detail
}  // namespace v0
}  // namespace zguard

#if !defined(ZGUARD_SEPARATE_COMPILATION)
#include <zguard/impl/monitor.ipp>
#endif
