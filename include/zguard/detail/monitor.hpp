// zguard/detail/monitor.hpp - feeds a socket's monitor events to the log.
//
// libzmq reports handshake failures and disconnects only through
// zmq_socket_monitor; a thread per monitored socket reads that PAIR socket
// and turns events into security events (G15).
#pragma once

#include <zmq.hpp>

#include <atomic>
#include <cstdint>
#include <cstring>
#include <string>
#include <thread>

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
    case ZMQ_EVENT_DISCONNECTED: name = "peer.disconnected"; level = severity::warning; return true;
    case ZMQ_EVENT_ACCEPTED: name = "peer.accepted"; level = severity::info; return true;
    case ZMQ_EVENT_CONNECTED: name = "peer.connected"; level = severity::info; return true;
    default: return false;
  }
}

class socket_monitor {
 public:
  socket_monitor(zmq::context_t& ctx, zmq::socket_t& watched, event_log& log, std::string socket_label)
      : watched_(watched), log_(log), label_(std::move(socket_label)) {
    auto const address = next_monitor_address();
    int const events = ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL | ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL |
                       ZMQ_EVENT_HANDSHAKE_FAILED_AUTH | ZMQ_EVENT_HANDSHAKE_SUCCEEDED |
                       ZMQ_EVENT_DISCONNECTED | ZMQ_EVENT_ACCEPTED | ZMQ_EVENT_CONNECTED;
    if (zmq_socket_monitor(watched.handle(), address.c_str(), events) != 0) throw zmq::error_t();
    zmq::socket_t pair(ctx, zmq::socket_type::pair);
    pair.set(zmq::sockopt::linger, 0);
    pair.connect(address);
    thread_ = std::thread([this, p = std::move(pair)]() mutable { run(p); });
  }
  socket_monitor(socket_monitor const&) = delete;
  socket_monitor& operator=(socket_monitor const&) = delete;
  ~socket_monitor() {
    zmq_socket_monitor(watched_.handle(), nullptr, 0);
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }

 private:
  void run(zmq::socket_t& pair) {
    while (!stop_) {
      zmq::pollitem_t item{pair.handle(), 0, ZMQ_POLLIN, 0};
      try {
        if (zmq::poll(&item, 1, std::chrono::milliseconds(50)) <= 0) continue;
        zmq::message_t head, where;
        if (!pair.recv(head, zmq::recv_flags::dontwait)) continue;
        if (!head.more() || !pair.recv(where)) continue;
        if (head.size() < 6) continue;
        std::uint16_t ev;
        std::uint32_t value;
        std::memcpy(&ev, head.data(), 2);
        std::memcpy(&value, static_cast<char const*>(head.data()) + 2, 4);
        if (ev == ZMQ_EVENT_MONITOR_STOPPED) return;
        std::string name;
        severity level;
        if (!describe_monitor_event(ev, name, level)) continue;
        log_.emit(name, level,
                  {{"socket", label_}, {"endpoint", where.to_string()}, {"code", std::to_string(value)}});
      } catch (zmq::error_t const&) {
        return;  // context terminated
      }
    }
  }

  zmq::socket_t& watched_;
  event_log& log_;
  std::string label_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace detail
}  // namespace v0
}  // namespace zguard
