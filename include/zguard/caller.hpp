// zguard/caller.hpp - many calls in flight from one client: a DEALER with a
// service<Req, Rep> channel sends requests without waiting, each with its
// own deadline, and completes each with the call_result<Rep> a REQ's call()
// gives.
//
//   using client = zguard::socket<D, zguard::tcp, zguard::dealer, zguard::curve_client, L,
//                                 zguard::service<order, order_ack>>;
//   client dealer(ctx, my_keys, server_public);
//   zguard::caller<client, zguard::retry<3, 20, 500>, zguard::in_flight<256>> calls(dealer);
//   calls.call(order{...}, 2s, [](zguard::call_result<order_ack> r) { ... });  // by callback
//   auto f = calls.call(order{...}, 2s);                                      // by std::future
//   calls.run_until_idle(5s);            // or calls.poll_for(10ms), or calls.attach(loop)
//
// Each request goes out with a call id in front of its schema message,
// inside the signed payload on a signed channel (docs/wire-format.md,
// "Correlated calls"); a zguard REP or ROUTER service echoes it, and an
// answer completes the call whose id it names. An answer naming no call,
// or one that completed or expired, is refused: logged as
// call.reply_refused (socket, call_id, reason) and counted, never
// delivered. Ids are unique per caller (a random start, then +1).
//
// The caller never starts a thread: it sends from call() and does the rest
// (answers, deadlines, resends) when driven, from the thread that owns the
// socket: poll_for() / run_until_idle(), or a zguard::event_loop it is
// attached to (the loop's readable socket dispatches answers, its timers
// expire deadlines and send again). Completions run on that thread too.
#pragma once

#include <zmq.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <unordered_map>
#include <utility>

#include <zguard/call_result.hpp>
#include <zguard/detail/call_ids.hpp>
#include <zguard/detail/closed.hpp>
#include <zguard/detail/seal_box.hpp>
#include <zguard/event_loop.hpp>
#include <zguard/retry.hpp>
#include <zguard/socket.hpp>
#include <zguard/socket/part_rules.hpp>

namespace zguard {
inline namespace v0 {

namespace bounds {
inline constexpr int max_in_flight = 65536;
}  // namespace bounds

// A caller's bound on calls in flight: 1..65536. A call beyond it is not
// sent; it completes at once with call_status::too_many_in_flight.
template <int N>
struct in_flight {
  static_assert(N >= 1 && N <= bounds::max_in_flight,
                "zguard::in_flight<N>: N must be >= 1 and <= 65536 calls in flight: range 1..65536");
  static constexpr std::size_t value = std::size_t(N);
};

namespace detail {
struct in_flight_tags {
  static consteval bool of(...) { return false; }
  template <int N>
  static consteval bool of(in_flight<N>**) { return true; }
};
template <class P>
concept is_in_flight_tag = closed_member<in_flight_tags, P>;

// The policy of kind Tag among Ps, or Default.
template <template <class> class Is, class Default, class... Ps>
struct caller_policy {
  using type = Default;
};
template <template <class> class Is, class Default, class P, class... Ps>
struct caller_policy<Is, Default, P, Ps...> {
  using type = std::conditional_t<Is<P>::value, P, typename caller_policy<Is, Default, Ps...>::type>;
};
template <class P>
struct retry_kind : std::bool_constant<is_retry_tag<P>> {};
template <class P>
struct in_flight_kind : std::bool_constant<is_in_flight_tag<P>> {};

template <class C>
constexpr bool is_service_kind() {
  if constexpr (requires { C::kind; }) return C::kind == channel_kind::service;
  else return false;
}

// What a caller's socket and policies must be; one sentence at a time.
template <class S, class... Ps>
constexpr bool check_caller() {
  using view = traits_of<S>;
  (void)(sizeof(Ps) + ... + 0);  // each policy checks its own numbers first (retry<0, ...> says why)
  if constexpr (!view::valid || !std::is_same_v<typename view::pattern_type, dealer> || !view::typed ||
                !is_service_kind<typename view::channel_type>()) {
    static_assert(dependent_false<S>,
                  "zguard::caller: asynchronous calls need a zguard::socket DEALER with a service<Req, Rep> "
                  "channel: a REQ calls one at a time with call(), and a socket without a service channel "
                  "has no replies to match to requests");
    return false;
  } else if constexpr (!((is_retry_tag<Ps> || is_in_flight_tag<Ps>) && ...)) {
    static_assert(dependent_false<S>,
                  "zguard::caller: its policies are zguard::retry<Attempts, BackoffInitialMs, BackoffMaxMs> "
                  "and zguard::in_flight<N>, nothing else");
    return false;
  } else if constexpr ((int(is_retry_tag<Ps>) + ... + 0) > 1 || (int(is_in_flight_tag<Ps>) + ... + 0) > 1) {
    static_assert(dependent_false<S>, "zguard::caller: retry<...> and in_flight<N> at most once each");
    return false;
  } else if constexpr (view::limits_type::template has<limit_slot::max_message_size> &&
                       max_size_of<typename channel_sides<typename view::channel_type, dealer>::receives>() +
                               call_id_prefix_size +
                               batch_seal_overhead<typename view::channel_type, typename view::signing_type>() +
                               (view::is_sealed ? sealed_answer_overhead : 0) >
                           std::size_t(view::limits_type::max_message_size)) {
    static_assert(dependent_false<S>,
                  "zguard::caller: the socket's max_message_size<N> has no room for a correlated answer: the "
                  "reply's largest encoding, 9 bytes of call id and, when signed, the envelope and, when "
                  "sealed, the seal");
    return false;
  } else {
    return true;
  }
}

// A caller whose socket or policies break a rule: silent stand-ins after
// the one static_assert that said why.
template <class S>
class refused_caller {
 public:
  explicit refused_caller(S& s) : sock_(&s) {}
  S& socket() { return *sock_; }
  template <class... A>
  int call(A&&...) { return 0; }
  template <class... A>
  std::size_t poll_for(A&&...) { return 0; }
  template <class... A>
  std::size_t run_until_idle(A&&...) { return 0; }
  template <class... A>
  void attach(A&&...) {}
  std::size_t in_flight() const { return 0; }
  std::uint64_t refused_answers() const { return 0; }
  std::optional<std::chrono::steady_clock::time_point> next_due() const { return std::nullopt; }

 private:
  S* sock_;
};

template <class S, class Retry, class Limit>
class caller_core {
  using view = traits_of<S>;
  using sides = channel_sides<typename view::channel_type, dealer>;
  using clock = std::chrono::steady_clock;

 public:
  using request_type = typename sides::sends;
  using reply_type = typename sides::receives;
  using result_type = call_result<reply_type>;
  using completion = std::function<void(result_type)>;
  using retry_policy = Retry;
  static constexpr std::size_t max_in_flight = Limit::value;

  // One caller a socket: a second on a socket that has one throws
  // std::logic_error (each would read the other's answers and refuse them).
  explicit caller_core(S& socket) : sock_(socket) {
    if (!socket_access::claim_caller(sock_))
      throw std::logic_error("zguard::caller: this socket already has a caller; one caller drives a DEALER");
  }
  caller_core(caller_core const&) = delete;
  caller_core& operator=(caller_core const&) = delete;
  // Calls still in flight are dropped uncompleted: their callbacks are not
  // called (what they refer to may be gone already), and their futures
  // hold std::future_error (broken_promise).
  ~caller_core() {
    if (loop_ && timer_) loop_->cancel(*timer_);
    socket_access::release_caller(sock_);
  }

  // Sends `request` now (or, when it cannot be queued yet, at its next
  // attempt) and completes `done` once: with the answer, or when the
  // deadline (1 ms .. 1 hour from now) passed or every attempt failed
  // (timed_out). Beyond in_flight<N> it is not sent: done runs at once with
  // too_many_in_flight.
  template <class Req, class Done>
  void call(Req const& request, std::chrono::milliseconds deadline, Done&& done) {
    static_assert(schema_type<Req> && carries<request_type, Req>(),
                  "zguard::caller::call: this socket's service channel does not carry that request type");
    static_assert(std::is_invocable_v<Done&, result_type>,
                  "zguard::caller::call: the completion takes the call_result<Rep>: done(call_result<Rep>)");
    if constexpr (schema_type<Req> && carries<request_type, Req>() && std::is_invocable_v<Done&, result_type>)
      start([request](S& s, std::uint64_t id) { return socket_access::send_call(s, request, id); },
            checked_deadline(deadline), completion(std::forward<Done>(done)));
  }
  // The same, completed through a std::future (ready at once beyond in_flight<N>).
  template <class Req>
  std::future<result_type> call(Req const& request, std::chrono::milliseconds deadline) {
    auto promise = std::make_shared<std::promise<result_type>>();
    auto future = promise->get_future();
    call(request, deadline, [promise](result_type r) { promise->set_value(std::move(r)); });
    return future;
  }

  // Calls sent and not completed.
  std::size_t in_flight() const { return calls_.size(); }
  // When the next deadline or resend is due (none: no call waits for one);
  // for a loop of the program's own that drives the caller (asio.hpp).
  std::optional<std::chrono::steady_clock::time_point> next_due() const {
    if (due_.empty()) return std::nullopt;
    return due_.begin()->first;
  }
  // The socket it drives (its notification_fd() and readable() tell a
  // program's own loop when to call poll_for).
  S& socket() { return sock_; }
  // Answers refused since the caller was made (call.reply_refused).
  std::uint64_t refused_answers() const { return refused_; }

  // Waits at most `wait` (0 .. 1 hour) for an answer or the next deadline
  // or resend, then completes what is due; the number of calls completed.
  std::size_t poll_for(std::chrono::milliseconds wait) {
    if (wait.count() < 0 || wait > std::chrono::hours(1))
      throw std::invalid_argument("zguard::caller::poll_for: the wait must be 0 .. 1 hour (G6)");
    auto const before = completed_;
    auto const until = clock::now() + wait;
    for (;;) {
      auto const due = due_.empty() ? until : std::min(until, due_.begin()->first);
      auto const now = clock::now();
      if (due <= now || sock_.readable()) break;
      zmq_pollitem_t item{socket_access::handle(sock_), 0, ZMQ_POLLIN, 0};
      long const ms = long(std::chrono::ceil<std::chrono::milliseconds>(due - now).count());
      if (zmq_poll(&item, 1, ms) != 0) break;  // input, or a signal: the caller looks again
    }
    {
      socket_access::ready_only<S> const no_wait(sock_);
      for (int i = 0; i < max_answers_a_turn && sock_.readable(); ++i) take_answer();
    }
    run_due();
    return completed_ - before;
  }
  // Drives until no call is in flight or `limit` passed; the number completed.
  std::size_t run_until_idle(std::chrono::milliseconds limit) {
    std::size_t n = 0;
    auto const until = clock::now() + limit;
    for (auto now = clock::now(); !calls_.empty() && now < until; now = clock::now())
      n += poll_for(std::chrono::ceil<std::chrono::milliseconds>(until - now));
    return n;
  }

  // Lets `loop` drive this caller: its socket's answers are dispatched when
  // the loop finds it readable, deadlines and resends by the loop's timers.
  // Call from the loop's thread only (before run(), or inside its handlers
  // and timers); the caller and its socket must outlive the loop's runs.
  void attach(event_loop& loop) {
    if (loop_) throw std::logic_error("zguard::caller::attach: already attached to an event loop");
    loop.on(sock_, [this](S&) {
      take_answer();  // one a call; the loop holds the socket ready-only
      schedule();
    });
    loop_ = &loop;
    schedule();
  }

 private:
  using result_access = call_result_access;
  using sender = std::function<bool(S&, std::uint64_t)>;
  struct pending {
    sender send;
    completion done;
    clock::time_point deadline;
    clock::time_point started;  // for the call's duration (metrics.hpp)
    clock::time_point next;  // the attempt's timeout (waiting) or the next attempt (backing off)
    int attempts = 0;
    bool waiting = false;
  };
  static constexpr int max_answers_a_turn = 1024;
  static constexpr std::size_t remembered = 4096;  // completed and expired ids kept, to say which

  static clock::time_point checked_deadline(std::chrono::milliseconds d) {
    if (d < std::chrono::milliseconds(1) || d > std::chrono::hours(1))
      throw std::invalid_argument("zguard::caller::call: the deadline must be 1 ms .. 1 hour; nothing waits forever (G6)");
    return clock::now() + d;
  }

  void start(sender send, clock::time_point deadline, completion done) {
    if (calls_.size() >= max_in_flight) {
      ++completed_;
      socket_access::count_call(sock_, std::size_t(call_status::too_many_in_flight), clock::now(), false);
      done(result_access::none<reply_type>(call_status::too_many_in_flight, 0,
                                           std::to_string(max_in_flight) + " calls in flight (in_flight<N>)"));
      return;
    }
    auto const id = ids_.next();
    auto& p = calls_[id];
    p.send = std::move(send);
    p.done = std::move(done);
    p.deadline = deadline;
    p.started = clock::now();
    attempt(id, p);
    schedule();
  }

  void attempt(std::uint64_t id, pending& p) {
    ++p.attempts;
    auto const now = clock::now();
    if (p.send(sock_, id)) {
      p.waiting = true;
      set_next(id, p, std::min(now + socket_access::recv_timeout(sock_), p.deadline));
    } else {
      attempt_failed(id, p, now);  // not sent: no peer yet, or its pipe full
    }
  }
  // After a failed attempt: the next after the backoff, else the call's end.
  void attempt_failed(std::uint64_t id, pending& p, clock::time_point now) {
    p.waiting = false;
    if (p.attempts >= Retry::attempts) {
      finish(id,
             result_access::none<reply_type>(call_status::timed_out, p.attempts,
                                             p.attempts == 1 ? "no reply" : "no reply in any attempt"),
             true);
      return;
    }
    set_next(id, p, std::min(now + Retry::backoff(p.attempts), p.deadline));
  }
  void set_next(std::uint64_t id, pending& p, clock::time_point at) {
    if (p.next != clock::time_point{}) due_.erase({p.next, id});
    p.next = at;
    due_.insert({at, id});
  }

  // Deadlines passed, attempts timed out, resends due.
  void run_due() {
    for (int i = 0; i < max_answers_a_turn && !due_.empty(); ++i) {
      auto const now = clock::now();
      auto const [at, id] = *due_.begin();
      if (at > now) break;
      auto& p = calls_.at(id);
      if (now >= p.deadline) {
        finish(id, result_access::none<reply_type>(call_status::timed_out, p.attempts, "deadline passed"), true);
      } else if (p.waiting) {
        attempt_failed(id, p, now);
      } else {
        due_.erase(due_.begin());
        p.next = {};
        attempt(id, p);
      }
    }
  }

  // One answer, if one is ready: to its call, or refused.
  void take_answer() {
    auto a = socket_access::next_call_answer(sock_);
    if (!a) return;
    auto const it = a->call_id ? calls_.find(a->call_id) : calls_.end();
    if (it == calls_.end()) {
      ++refused_;
      socket_access::refuse_call_answer(sock_, a->call_id, why_not(a->call_id));
      return;
    }
    // Read after the call's deadline (the caller was not driven in time):
    // the call has timed out, whatever the answer says.
    if (clock::now() >= it->second.deadline) {
      auto const id = it->first;
      auto const attempts = it->second.attempts;
      finish(id, result_access::none<reply_type>(call_status::timed_out, attempts, "deadline passed"), true);
      ++refused_;
      socket_access::refuse_call_answer(sock_, id, "expired");
      return;
    }
    finish(it->first, result_access::after(std::move(a->result), it->second.attempts));
  }
  std::string_view why_not(std::uint64_t id) const {
    if (id == 0) return "no call id";
    if (auto f = finished_.find(id); f != finished_.end()) return f->second ? "expired" : "completed";
    return ids_.drew(id) ? "completed" : "unknown";  // drawn here, too long ago to say more
  }

  // Completes call `id` (taken out first: its completion may call again).
  void finish(std::uint64_t id, result_type r, bool expired = false) {
    auto node = calls_.extract(id);
    if (node.mapped().next != clock::time_point{}) due_.erase({node.mapped().next, id});
    finished_.emplace(id, expired);
    finished_order_.push_back(id);
    if (finished_order_.size() > remembered) {
      finished_.erase(finished_order_.front());
      finished_order_.pop_front();
    }
    ++completed_;
    auto const status = r.status();
    socket_access::count_call(sock_, std::size_t(status), node.mapped().started,
                              status != call_status::timed_out && status != call_status::refused_at_handshake);
    node.mapped().done(std::move(r));
  }

  // Attached to a loop: one timer, at the earliest due time.
  void schedule() {
    if (!loop_) return;
    if (due_.empty()) {
      if (timer_) loop_->cancel(*timer_), timer_.reset();
      return;
    }
    auto const at = due_.begin()->first;
    if (timer_ && timer_at_ <= at) return;
    if (timer_) loop_->cancel(*timer_);
    auto const in = std::max(std::chrono::ceil<std::chrono::milliseconds>(at - clock::now()), std::chrono::milliseconds(1));
    timer_at_ = clock::now() + in;
    timer_ = loop_->after(in, [this] {
      timer_.reset();
      run_due();
      schedule();
    });
  }

  S& sock_;
  call_id_source ids_;
  std::unordered_map<std::uint64_t, pending> calls_;
  std::set<std::pair<clock::time_point, std::uint64_t>> due_;  // each call's next, earliest first
  std::unordered_map<std::uint64_t, bool> finished_;            // id -> expired (else completed)
  std::deque<std::uint64_t> finished_order_;
  std::uint64_t refused_ = 0;
  std::size_t completed_ = 0;
  event_loop* loop_ = nullptr;
  std::optional<timer_id> timer_;
  clock::time_point timer_at_{};
};
}  // namespace detail

// caller<Socket, Policies...>: Socket a zguard::socket DEALER with a
// service<Req, Rep> channel; Policies, in any order, at most one each:
// retry<Attempts, BackoffInitialMs, BackoffMaxMs> (default no_retry) and
// in_flight<N> (default in_flight<64>).
template <class Socket, class... Policies>
class caller final
    : public std::conditional_t<
          detail::check_caller<Socket, Policies...>(),
          detail::caller_core<Socket, typename detail::caller_policy<detail::retry_kind, no_retry, Policies...>::type,
                              typename detail::caller_policy<detail::in_flight_kind, in_flight<64>, Policies...>::type>,
          detail::refused_caller<Socket>> {
  using base = std::conditional_t<
      detail::check_caller<Socket, Policies...>(),
      detail::caller_core<Socket, typename detail::caller_policy<detail::retry_kind, no_retry, Policies...>::type,
                          typename detail::caller_policy<detail::in_flight_kind, in_flight<64>, Policies...>::type>,
      detail::refused_caller<Socket>>;

 public:
  using base::base;
};

}  // namespace v0
}  // namespace zguard
