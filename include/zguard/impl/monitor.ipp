// zguard/impl/monitor.ipp - the definitions of zguard/detail/monitor.hpp that ZGUARD_DECL
// declares: inline in every translation unit, or compiled once with
// ZGUARD_SEPARATE_COMPILATION (zguard/detail/compiled.hpp).
#pragma once

#include <zguard/detail/monitor.hpp>

namespace zguard {
inline namespace v0 {
namespace detail {

ZGUARD_DECL std::string next_monitor_address() {
  static std::atomic<std::uint64_t> counter{0};
  return "inproc://zguard.monitor." + std::to_string(counter.fetch_add(1));
}

ZGUARD_DECL bool describe_monitor_event(std::uint16_t ev, std::string& name, severity& level) {
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

ZGUARD_DECL socket_monitor::socket_monitor(zmq::context_t& ctx, zmq::socket_t& watched, event_log& log, std::string socket_label,
                                            monitor_mode mode)
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

ZGUARD_DECL socket_monitor::~socket_monitor() {
  zmq_socket_monitor(watched_.handle(), nullptr, 0);
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

ZGUARD_DECL void socket_monitor::drain() {
  try {
    while (read_one(zmq::recv_flags::dontwait)) {}
  } catch (zmq::error_t const&) {
  }
}

ZGUARD_DECL std::string socket_monitor::last_handshake_failure() const {
  std::string name;
  severity level;
  return describe_monitor_event(last_handshake_failure_.load(), name, level) ? name : std::string();
}

ZGUARD_DECL bool socket_monitor::read_one(zmq::recv_flags flags) {
  zmq::message_t head, where;
  if (!pair_.recv(head, flags)) return false;
  if (!head.more() || !pair_.recv(where)) return true;
  if (head.size() < 6) return true;
  std::uint16_t ev;
  std::uint32_t value;
  std::memcpy(&ev, head.data(), 2);
  std::memcpy(&value, static_cast<char const*>(head.data()) + 2, 4);
  if (ev == ZMQ_EVENT_MONITOR_STOPPED) return false;
  if (ev == ZMQ_EVENT_ACCEPTED || ev == ZMQ_EVENT_CONNECTED) {
    struct stat st {};
    auto const inode = ::fstat(int(value), &st) == 0 && S_ISSOCK(st.st_mode) ? st.st_ino : 0;
    std::lock_guard lock(table_mu_);
    connections_.opened(int(value), inode);
    std::erase(handshaking_, int(value));  // a number reused: the old connection is gone
    up_.erase(int(value));
    handshaking_.push_back(int(value));
    connections_open_ = connections_.open_count();
    sessions_up_ = up_.size();
  }
  if (ev == ZMQ_EVENT_DISCONNECTED) {
    std::lock_guard lock(table_mu_);
    connections_.closed(int(value));
    std::erase(handshaking_, int(value));
    up_.erase(int(value));
    connections_open_ = connections_.open_count();
    sessions_up_ = up_.size();
  }
  // libzmq 4.3.4 reports a handshake's end without its descriptor (the
  // event's value is 0 or a status code): it is given to the connection
  // that has waited longest, exact unless handshakes end out of order. A
  // disconnect always names its own descriptor, so the count of sessions
  // never exceeds the connections open and is 0 once they are all closed.
  if (ev == ZMQ_EVENT_HANDSHAKE_SUCCEEDED || ev == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH ||
      ev == ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL || ev == ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL) {
    std::lock_guard lock(table_mu_);
    if (!handshaking_.empty()) {
      if (ev == ZMQ_EVENT_HANDSHAKE_SUCCEEDED) up_.insert(handshaking_.front());
      handshaking_.erase(handshaking_.begin());
    }
    sessions_up_ = up_.size();
    if (ev == ZMQ_EVENT_HANDSHAKE_SUCCEEDED) ++handshakes_succeeded_;
  }
  if (ev == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH) ++auth_refusals_;
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

ZGUARD_DECL std::size_t socket_monitor::cut_open_connections() {
  (void)watched_.get(zmq::sockopt::events);  // libzmq's pending connection changes, and their events, first
  if (!thread_.joinable()) drain();            // owner mode; a monitor thread reads its own events
  std::vector<std::pair<int, std::uint64_t>> cut;  // descriptor, and the serial of the connection cut
  {
    std::lock_guard lock(table_mu_);
    for (auto const& [fd, inode] : connections_.open_connections()) {
      struct stat st {};
      if (inode == 0 || ::fstat(fd, &st) != 0 || !S_ISSOCK(st.st_mode) || st.st_ino != inode) continue;
      if (::shutdown(fd, SHUT_RDWR) == 0) cut.emplace_back(fd, connections_.current(fd).generation);
    }
  }
  std::size_t const n = cut.size();
  // Until libzmq has closed them (bounded): a message sent meanwhile would
  // go down a cut connection and be lost to a peer that was not revoked;
  // once their pipes are gone, it waits for a peer to come back.
  for (int tries = 0; tries < 100 && !cut.empty(); ++tries) {
    (void)watched_.get(zmq::sockopt::events);
    if (!thread_.joinable()) drain();
    {
      std::lock_guard lock(table_mu_);
      std::erase_if(cut, [&](auto const& c) { return !connections_.open({c.first, c.second}); });
    }
    if (!cut.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  (void)watched_.get(zmq::sockopt::events);  // the closed pipes taken out of the socket
  return n;
}

ZGUARD_DECL bool socket_monitor::cut_connection_of(zmq::message_t const& last_frame,
                                                   std::chrono::steady_clock::time_point opened_before) {
  int const fd = source_fd(last_frame);
  if (fd < 0) return false;
  // The connection's ACCEPTED/CONNECTED came before any of its messages;
  // a monitor thread may not have read it yet (a bounded wait, only then).
  for (int tries = 0; tries < 40; ++tries) {
    if (!thread_.joinable()) drain();
    std::optional<connection_table::fd_state> state;
    {
      std::lock_guard lock(table_mu_);
      state = connections_.state_of(fd);
    }
    if (state) {
      struct stat st {};
      if (!state->open || state->opened_at >= opened_before || state->inode == 0 || ::fstat(fd, &st) != 0 ||
          !S_ISSOCK(st.st_mode) || st.st_ino != state->inode)
        return false;
      return ::shutdown(fd, SHUT_RDWR) == 0;
    }
    if (!thread_.joinable()) return false;  // owner mode: every event was read
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return false;
}

ZGUARD_DECL void socket_monitor::run() {
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
}  // namespace detail
}  // namespace v0
}  // namespace zguard
