// zguard/event_loop.hpp - one thread serving several zguard sockets and
// timers.
//
//   zguard::event_loop loop;
//   loop.on(rep, [](auto& s) { if (auto r = s.receive()) (void)s.send(answer(r->value)); });
//   loop.on(sub, [](auto& s) { if (auto q = s.receive()) show(q->value); });
//   loop.every(std::chrono::seconds(1), [] { report(); });
//   loop.run(stop.get_token());
//
// A handler gets the zguard socket itself and receives through it, so
// every message still passes the socket's checks (framing, routing id,
// rate limit, vouch, signature, schema); the libzmq handle stays inside
// (zmq_poll through detail::wait_for_input, as zguard::poll). Every wait is
// bounded (G6): timers and the tick are 1 ms .. 1 hour.
//
// A handler or timer that throws ends run() with its exception: the loop
// cannot know what the handler left half done (a REP that received but did
// not reply cannot receive again), so it does not guess. The loop itself
// stays consistent (a repeating timer is already rescheduled) and run()
// may be called again.
//
// One thread owns a loop and its sockets (libzmq sockets are not thread
// safe); only the stop_token may be used from other threads.
//
// For an event loop of your own (Asio, epoll), use the sockets'
// notification_fd(), monitor_notification_fd() and readable() instead
// (socket/core.hpp; examples/asio_service.cpp).
#pragma once

#include <zmq.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <stdexcept>
#include <stop_token>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include <zguard/poll.hpp>

namespace zguard {
inline namespace v0 {

// Names a timer of an event_loop, to cancel it.
struct timer_id {
  std::uint64_t value = 0;
  friend bool operator==(timer_id, timer_id) = default;
};

class event_loop {
 public:
  using clock = std::chrono::steady_clock;
  // Handler calls per socket per turn at most, so one busy socket cannot
  // starve the others or the timers.
  static constexpr int burst = 64;

  // tick: the longest wait before run() looks at its stop_token again.
  explicit event_loop(std::chrono::milliseconds tick = std::chrono::milliseconds(100))
      : tick_(checked("zguard::event_loop: the tick", tick)) {}
  event_loop(event_loop const&) = delete;
  event_loop& operator=(event_loop const&) = delete;

  // handler(socket&) is called while the socket has a message to receive
  // (up to `burst` times a turn); it should receive one message per call.
  // Inside its handler the socket's receives never wait: they take what is
  // ready, and a refused message ends the receive at once (nullopt), so a
  // socket flooded with junk costs the loop the frames it read, one a
  // call, never its recv_timeout_ms. The socket must outlive the loop's
  // runs; one handler per socket, and none added while run() is running.
  template <class S, class Handler>
  void on(S& socket, Handler handler) {
    static_assert(detail::pollable_socket<S>,
                  "zguard::event_loop::on: the socket must be a zguard::socket that receives (not PUB or PUSH)");
    static_assert(std::is_invocable_v<Handler&, S&>,
                  "zguard::event_loop::on: the handler takes the socket, handler(socket&), and receives from it; "
                  "raw frames or handles are never handed out");
    if constexpr (detail::pollable_socket<S> && std::is_invocable_v<Handler&, S&>) {
      if (running_) throw std::logic_error("zguard::event_loop::on: not while run() is running");
      auto const target = detail::poll_target_of(socket);
      for (auto const& t : targets_)
        if (t.handle == target.handle)
          throw std::invalid_argument("zguard::event_loop::on: this socket already has a handler");
      targets_.push_back(target);
      items_.resize(2 * targets_.size());
      steps_.push_back([&socket, h = std::move(handler)]() mutable {
        if (!socket.readable()) return false;
        detail::socket_access::ready_only<S> const no_wait(socket);
        h(socket);
        return true;
      });
    }
  }

  // f() once, `delay` (1 ms .. 1 hour) from now.
  timer_id after(std::chrono::milliseconds delay, std::function<void()> f) {
    return add("zguard::event_loop::after: the delay", delay, std::move(f), false);
  }
  // f() every `interval` (1 ms .. 1 hour), the first time one interval from
  // now. A loop that fell behind skips the missed beats rather than firing
  // them in a burst.
  timer_id every(std::chrono::milliseconds interval, std::function<void()> f) {
    return add("zguard::event_loop::every: the interval", interval, std::move(f), true);
  }
  // False when the timer already fired (once) or was cancelled. Safe from
  // inside a timer, including the one running.
  bool cancel(timer_id id) {
    auto it = due_.find(id.value);
    if (it == due_.end()) return false;
    queue_.erase({it->second, id.value});
    due_.erase(it);
    return true;
  }

  // Serves the sockets and fires the timers until stop is requested. Due
  // timers fire in order of their due time, those due together in the
  // order they were made; then the sockets with input are served. A stop
  // is noticed within one tick, and after every handler and timer.
  void run(std::stop_token stop) {
    if (running_) throw std::logic_error("zguard::event_loop::run: already running");
    running_ = true;
    struct reset {
      bool& flag;
      ~reset() { flag = false; }
    } const guard{running_};
    while (!stop.stop_requested()) turn(stop);
  }

 private:
  struct timer {
    std::shared_ptr<std::function<void()>> f;  // shared: a timer may cancel itself while running
    std::chrono::milliseconds interval;
    bool repeats;
  };
  using key = std::pair<clock::time_point, std::uint64_t>;  // due, then made first

  static std::chrono::milliseconds checked(char const* what, std::chrono::milliseconds d) {
    if (d < std::chrono::milliseconds(1) || d > std::chrono::hours(1))
      throw std::invalid_argument(std::string(what) + " must be 1 ms .. 1 hour; nothing waits forever or spins (G6)");
    return d;
  }

  timer_id add(char const* what, std::chrono::milliseconds d, std::function<void()> f, bool repeats) {
    checked(what, d);
    if (!f) throw std::invalid_argument(std::string(what) + ": no function given");
    auto const id = ++next_id_;
    auto const due = clock::now() + d;
    queue_.emplace(key{due, id}, timer{std::make_shared<std::function<void()>>(std::move(f)), d, repeats});
    due_.emplace(id, due);
    return {id};
  }

  // The timers due at `now`: each fires once at most per turn.
  void fire_due(clock::time_point now, std::stop_token const& stop) {
    while (!queue_.empty() && queue_.begin()->first.first <= now && !stop.stop_requested()) {
      auto node = queue_.extract(queue_.begin());
      auto const id = node.key().second;
      auto f = node.mapped().f;
      if (node.mapped().repeats) {
        auto next = node.key().first + node.mapped().interval;
        if (next <= now) next = now + node.mapped().interval;  // fell behind: skip, no burst
        node.key().first = next;
        due_[id] = next;
        queue_.insert(std::move(node));
      } else {
        due_.erase(id);
      }
      (*f)();
    }
  }

  void turn(std::stop_token const& stop) {
    auto const now = clock::now();
    fire_due(now, stop);
    if (stop.stop_requested()) return;
    auto wait = tick_;
    if (!queue_.empty()) {
      auto const until_due = std::chrono::ceil<std::chrono::milliseconds>(queue_.begin()->first.first - clock::now());
      wait = std::max(std::chrono::milliseconds(0), std::min(wait, until_due));
    }
    if (targets_.empty()) {
      std::this_thread::sleep_for(wait);
      return;
    }
    if (!detail::wait_for_input(targets_, items_, wait)) return;  // a signal: look at stop first
    for (std::size_t i = 0; i < targets_.size(); ++i) {
      if (!(items_[i].revents & ZMQ_POLLIN)) continue;
      for (int k = 0; k < burst && !stop.stop_requested(); ++k)
        if (!steps_[i]()) break;
      if (stop.stop_requested()) return;
    }
  }

  std::chrono::milliseconds tick_;
  std::vector<detail::poll_target> targets_;
  std::vector<zmq_pollitem_t> items_;
  std::vector<std::function<bool()>> steps_;  // steps_[i]: one handler call if targets_[i] is readable
  std::map<key, timer> queue_;
  std::map<std::uint64_t, clock::time_point> due_;  // by id, to cancel
  std::uint64_t next_id_ = 0;
  bool running_ = false;
};

}  // namespace v0
}  // namespace zguard
