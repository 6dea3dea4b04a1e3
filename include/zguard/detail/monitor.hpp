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

#include <zmq.hpp>

#include <atomic>
#include <cstdint>
#include <cstring>
#include <string>
#include <thread>

#include <zguard/detail/connections.hpp>
#include <zguard/events.hpp>

namespace zguard {
inline namespace v0 {
namespace detail {

inline std::string next_monitor_address() {
  static std::atomic<std::uint64_t> counter{0};
  return "inproc://zguard.monitor." + std::to_string(counter.fetch_add(1));
}

// Names of the monitor events we log, and whether an operator should see them.
inline bool describe_monitor_event(std::uint16_t ev, std::string& name, severity& level) {
  switch (ev) {
    case ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL: name = "handshake.failed_no_detail"; level = severity::warning; return true;
    case ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL: name = "handshake.failed_protocol"; level = severity::warning; return true;
    case ZMQ_EVENT_HANDSHAKE_FAILED_AUTH: name = "handshake.failed_auth"; level = severity::warning; return true;
    case ZMQ_EVENT_HANDSHAKE_SUCCEEDED: name = "handshake.succeeded"; level = severity::info; return true;
    // Peers come and go; a refused one has its own warning (handshake, ZAP, limits).
    case ZMQ_EVENT_DISCONNECTED: name = "peer.disconnected"; level = severity::notice; return true;
    case ZMQ_EVENT_ACCEPTED: name = "peer.accepted"; level = severity::info; return true;
    case ZMQ_EVENT_CONNECTED: name = "peer.connected"; level = severity::info; return true;
    default: return false;
  }
}

enum class monitor_mode {
  thread,  // a thread of its own reads and logs the events
  owner    // the owning socket's thread drains: events also kept in a connection_table
};

class socket_monitor {
 public:
  socket_monitor(zmq::context_t& ctx, zmq::socket_t& watched, event_log& log, std::string socket_label,
                 monitor_mode mode = monitor_mode::thread)
      : watched_(watched), log_(log), label_(std::move(socket_label)), pair_(ctx, zmq::socket_type::pair) {
    auto const address = next_monitor_address();
    int const events = ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL | ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL |
                       ZMQ_EVENT_HANDSHAKE_FAILED_AUTH | ZMQ_EVENT_HANDSHAKE_SUCCEEDED |
                       ZMQ_EVENT_DISCONNECTED | ZMQ_EVENT_ACCEPTED | ZMQ_EVENT_CONNECTED;
    if (zmq_socket_monitor(watched.handle(), address.c_str(), events) != 0) throw zmq::error_t();
    pair_.set(zmq::sockopt::linger, 0);
    // Owner mode: no event may be dropped (a lost DISCONNECTED would keep a
    // connection "open"), and the owner drains before every reply.
    if (mode == monitor_mode::owner) pair_.set(zmq::sockopt::rcvhwm, 0);
    pair_.connect(address);
    if (mode == monitor_mode::thread) thread_ = std::thread([this] { run(); });
  }
  socket_monitor(socket_monitor const&) = delete;
  socket_monitor& operator=(socket_monitor const&) = delete;
  ~socket_monitor() {
    zmq_socket_monitor(watched_.handle(), nullptr, 0);
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }

  // Owner mode: reads every pending event without waiting.
  void drain() {
    try {
      while (read_one(zmq::recv_flags::dontwait)) {}
    } catch (zmq::error_t const&) {
    }
  }
  // Owner mode: the connection a message just received came in on (its
  // ACCEPTED/CONNECTED is read by now).
  connection_id connection_of(zmq::message_t const& last_frame) {
    drain();
    return connections_.current(source_fd(last_frame));
  }
  // Owner mode: whether c is still open. libzmq first processes pending
  // connection changes of the watched socket, so the events they caused
  // are read too: a routing id can only have moved on after its old
  // connection's DISCONNECTED.
  bool still_open(connection_id c) {
    (void)watched_.get(zmq::sockopt::events);
    drain();
    return connections_.open(c);
  }
  // Handshakes that failed so far (any mode; read from the socket's thread
  // while the monitor's thread counts), and the event of the latest one.
  std::uint64_t handshake_failures() const { return handshake_failures_.load(); }
  std::uint64_t handshakes_succeeded() const { return handshakes_succeeded_.load(); }
  std::string last_handshake_failure() const {
    std::string name;
    severity level;
    return describe_monitor_event(last_handshake_failure_.load(), name, level) ? name : std::string();
  }
  // Owner mode: for zmq_poll next to the watched socket.
  void* poll_item() { return pair_.handle(); }

 private:
  // One event; false when none was pending (or the monitor stopped).
  bool read_one(zmq::recv_flags flags) {
    zmq::message_t head, where;
    if (!pair_.recv(head, flags)) return false;
    if (!head.more() || !pair_.recv(where)) return true;
    if (head.size() < 6) return true;
    std::uint16_t ev;
    std::uint32_t value;
    std::memcpy(&ev, head.data(), 2);
    std::memcpy(&value, static_cast<char const*>(head.data()) + 2, 4);
    if (ev == ZMQ_EVENT_MONITOR_STOPPED) return false;
    if (ev == ZMQ_EVENT_ACCEPTED || ev == ZMQ_EVENT_CONNECTED) connections_.opened(int(value));
    if (ev == ZMQ_EVENT_DISCONNECTED) connections_.closed(int(value));
    if (ev == ZMQ_EVENT_HANDSHAKE_SUCCEEDED) ++handshakes_succeeded_;
    if (ev == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH || ev == ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL ||
        ev == ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL) {
      last_handshake_failure_ = ev;
      ++handshake_failures_;  // after the event it names: a reader of the count sees the event
    }
    std::string name;
    severity level;
    if (describe_monitor_event(ev, name, level))
      log_.emit(name, level, {{"socket", label_}, {"endpoint", where.to_string()}, {"code", std::to_string(value)}});
    return true;
  }

  void run() {
    while (!stop_) {
      zmq::pollitem_t item{pair_.handle(), 0, ZMQ_POLLIN, 0};
      try {
        if (zmq::poll(&item, 1, std::chrono::milliseconds(50)) <= 0) continue;
        while (read_one(zmq::recv_flags::dontwait)) {}
      } catch (zmq::error_t const&) {
        return;  // context terminated
      }
    }
  }

  zmq::socket_t& watched_;
  event_log& log_;
  std::string label_;
  zmq::socket_t pair_;
  connection_table connections_;
  std::atomic<bool> stop_{false};
  std::atomic<std::uint64_t> handshake_failures_{0};
  std::atomic<std::uint64_t> handshakes_succeeded_{0};
  std::atomic<std::uint16_t> last_handshake_failure_{0};
  std::thread thread_;
};

}  // namespace detail
}  // namespace v0
}  // namespace zguard
