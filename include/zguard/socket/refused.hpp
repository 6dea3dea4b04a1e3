// zguard/socket/refused.hpp - what a socket type that breaks a rule is made
// of: silent stand-ins for every operation the facets and the core offer
// (its traits' static_assert has said which rule, once), so that the
// user's code using it adds no second error ("no member named ...") after
// zguard's sentence. A new public operation of a facet gets its stand-in
// here (compile_fail: refused_socket_operations).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include <zmq.hpp>

#include <zguard/events.hpp>

namespace zguard {
inline namespace v0 {
namespace detail {

template <class Tr>
class refused_socket {
 public:
  template <class Ctx, class... Args>
  explicit refused_socket(Ctx&, Args&&...) {}
  template <class Msg>
  using delivery = std::optional<Msg>;

  // raw frames and typed messages
  template <class... A>
  bool send(A&&...) { return false; }
  template <class Msg = void, class... A>
  std::optional<int> receive(A&&...) { return std::nullopt; }
  template <class... A>
  std::optional<int> receive_multipart(A&&...) { return std::nullopt; }
  template <class... A>
  std::optional<int> call(A&&...) { return std::nullopt; }
  template <class... A>
  void serve(A&&...) {}
  template <class... A>
  bool reply(A&&...) { return false; }
  template <class... A>
  void subscribe(A&&...) {}
  template <class... A>
  void unsubscribe(A&&...) {}
  template <class... A>
  bool subscribed(A&&...) const { return false; }
  // batching
  template <class... A>
  bool flush(A&&...) { return false; }
  template <class... A>
  bool flush_if_due(A&&...) { return false; }
  template <class... A>
  std::optional<std::chrono::steady_clock::time_point> flush_due_at(A&&...) const { return std::nullopt; }
  template <class... A>
  std::size_t waiting(A&&...) const { return 0; }
  // the core
  template <class... A>
  int bind(A&&...) { return 0; }
  template <class... A>
  void connect(A&&...) {}
  static std::string profile() { return {}; }
  static std::string label() { return {}; }
  std::string applied_limits() const { return {}; }
  event_log& events() { return log_; }
  std::uint64_t handshake_failures() const { return 0; }
  std::string last_handshake_failure() const { return {}; }
  std::uint64_t handshakes_succeeded() const { return 0; }
  zmq::fd_t notification_fd() const { return {}; }
  std::optional<zmq::fd_t> monitor_notification_fd() const { return std::nullopt; }
  bool readable() const { return false; }

 private:
  event_log log_{event_sink{}};
};

}  // namespace detail
}  // namespace v0
}  // namespace zguard
