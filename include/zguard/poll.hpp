// zguard/poll.hpp - waiting for input on several zguard sockets at once.
//
//   auto ready = zguard::poll(std::chrono::milliseconds(100), rep, sub);
//   if (ready[0]) ... rep.receive<...>() ...
//
// zmq_poll underneath; the libzmq handles never leave zguard, so no
// program can reach a socket's options through polling. The wait is
// bounded like every other wait in zguard (G6). zguard::event_loop
// (event_loop.hpp) waits through the same detail::wait_for_input.
#pragma once

#include <zmq.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <cstddef>
#include <span>
#include <stdexcept>

#include <zguard/socket.hpp>

namespace zguard {
inline namespace v0 {

// Which of the sockets given to poll() have a message waiting.
template <std::size_t N>
class poll_result {
 public:
  bool operator[](std::size_t i) const { return ready_.at(i); }
  bool any() const {
    for (bool r : ready_)
      if (r) return true;
    return false;
  }
  std::size_t size() const { return N; }

 private:
  template <class... Sockets>
  friend poll_result<sizeof...(Sockets)> poll(std::chrono::milliseconds, Sockets&...);
  std::array<bool, N> ready_{};
};

namespace detail {
template <class S>
inline constexpr bool pollable_socket = false;
template <class... Ps>
inline constexpr bool pollable_socket<socket<Ps...>> = ReceivingPattern<typename traits_of<socket<Ps...>>::pattern_type>;

// What zmq_poll watches for one socket: its handle and, for a ROUTER, the
// monitor it reads itself (connection table, events). Made only here and
// kept inside zguard.
struct poll_target {
  void* handle;
  socket_monitor* monitor;  // nullptr unless the socket reads its own monitor
};
template <class S>
poll_target poll_target_of(S& s) {
  return {socket_access::handle(s), socket_access::router_monitor(s)};
}

// Waits until one target has a message to receive, or `timeout` passes.
// Monitors are polled next to their sockets and drained whenever the wait
// wakes, so their events are logged promptly. `items` is scratch space of
// at least 2 * targets.size(); afterwards items[i].revents & ZMQ_POLLIN
// says whether targets[i] has input. False when a signal ended the wait
// (nothing is ready then).
inline bool wait_for_input(std::span<poll_target const> targets, std::span<zmq_pollitem_t> items,
                           std::chrono::milliseconds timeout) {
  std::size_t const n = targets.size();
  auto const until = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    std::size_t count = 0;
    for (auto const& t : targets) items[count++] = {t.handle, 0, ZMQ_POLLIN, 0};
    for (auto const& t : targets)
      if (t.monitor) items[count++] = {t.monitor->poll_item(), 0, ZMQ_POLLIN, 0};
    auto const left = std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now());
    int const rc = zmq_poll(items.data(), int(count), long(left.count() > 0 ? left.count() : 0));
    if (rc < 0) {
      if (zmq_errno() != EINTR) throw zmq::error_t();
      for (std::size_t i = 0; i < n; ++i) items[i].revents = 0;
      return false;
    }
    for (auto const& t : targets)
      if (t.monitor) t.monitor->drain();
    for (std::size_t i = 0; i < n; ++i)
      if (items[i].revents & ZMQ_POLLIN) return true;
    if (left.count() <= 0) return true;
  }
}
}  // namespace detail

// Waits until at least one of the sockets has a message to receive, or
// the timeout (0 .. 1 hour) passes. A signal ends the wait early (nothing
// ready), so loops can check their stop condition.
template <class... Sockets>
poll_result<sizeof...(Sockets)> poll(std::chrono::milliseconds timeout, Sockets&... sockets) {
  static_assert(sizeof...(Sockets) > 0, "zguard::poll: give at least one socket");
  static_assert((detail::pollable_socket<Sockets> && ...),
                "zguard::poll: every argument must be a zguard::socket that receives (not PUB or PUSH)");
  if (timeout.count() < 0 || timeout > std::chrono::hours(1))
    throw std::invalid_argument("zguard::poll: the timeout must be 0 .. 1 hour; nothing waits forever (G6)");
  constexpr std::size_t n = sizeof...(Sockets);
  poll_result<n> result;
  std::array<detail::poll_target, n> const targets{detail::poll_target_of(sockets)...};
  std::array<zmq_pollitem_t, 2 * n> items{};
  if (detail::wait_for_input(targets, items, timeout))
    for (std::size_t i = 0; i < n; ++i) result.ready_[i] = (items[i].revents & ZMQ_POLLIN) != 0;
  return result;
}

}  // namespace v0
}  // namespace zguard
