// zguard/socket/raw_frames.hpp - the operations of a socket without a
// channel: raw frames, under the same names a typed socket uses for its
// schemas (send, receive, call, serve), plus receive_multipart and
// subscribe. What a pattern cannot do is still a member, whose body says
// why (one error, zguard's sentence, not "no matching function").
#pragma once

#include <zmq.hpp>

#include <chrono>
#include <exception>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <zguard/call_result.hpp>
#include <zguard/codec.hpp>
#include <zguard/pattern.hpp>
#include <zguard/schema.hpp>
#include <zguard/socket/core.hpp>
#include <zguard/socket/deliveries.hpp>

namespace zguard {
inline namespace v0 {
namespace detail {

template <class Tr>
class raw_frames : public socket_core<Tr> {
  using core = socket_core<Tr>;

 protected:
  using typename Tr::P;

 private:
  static constexpr bool sends = Tr::offers_send;
  static constexpr bool receives = Tr::offers_receive;
  static constexpr bool is_req = std::is_same_v<P, req>;
  static constexpr bool is_rep = std::is_same_v<P, rep>;

 public:
  using core::core;

  // Sends one frame (more = another frame follows). False when it could not
  // be queued within send_timeout_ms (logged).
  [[nodiscard]] bool send(zmq::const_buffer frame, bool more = false) requires sends {
    return this->send_frame(frame, more);
  }
  [[nodiscard]] bool send(zmq::message_t& msg, bool more = false) requires sends {
    return this->send_frame(zmq::const_buffer(msg.data(), msg.size()), more);
  }
  [[nodiscard]] bool send(std::string_view text, bool more = false) requires sends {
    return this->send_frame(zmq::buffer(text), more);
  }

  // One frame, or nullopt when nothing arrived within recv_timeout_ms. A
  // signal interrupting the wait also gives nullopt, so loops can check
  // their stop condition.
  std::optional<zmq::message_t> receive() requires receives { return this->recv_frame(); }
  // All frames of one message, or nullopt on timeout.
  std::optional<std::vector<zmq::message_t>> receive_multipart() requires receives { return this->recv_frames(); }

  void subscribe(std::string_view prefix) requires(std::is_same_v<P, sub>) {
    this->zmq_socket().set(zmq::sockopt::subscribe, prefix);
  }

  // REQ: one request, its reply (G6). REQ_RELAXED lets a new request go out
  // after a lost reply, REQ_CORRELATE discards late replies to the old one;
  // libzmq reconnects by itself. Each attempt waits recv_timeout_ms; nullopt
  // after `attempts` timeouts.
  std::optional<zmq::message_t> call(zmq::const_buffer body, int attempts = 3) requires is_req {
    auto const started = std::chrono::steady_clock::now();
    for (int i = 1; i <= attempts; ++i) {
      if (!this->send_frame(body)) continue;
      if (auto reply = this->recv_frame()) {
        this->metrics_meter().count_call(std::size_t(call_status::replied), started, true);
        return reply;
      }
      this->log().emit("req.timeout", severity::warning, {{"socket", core::label()}, {"attempt", std::to_string(i)}});
    }
    this->log().emit("req.gave_up", severity::warning,
                     {{"socket", core::label()}, {"attempts", std::to_string(attempts)}});
    this->metrics_meter().count_call(std::size_t(call_status::timed_out), started, false);
    return std::nullopt;
  }
  std::optional<zmq::message_t> call(std::string_view body, int attempts = 3) requires is_req {
    return call(zmq::buffer(body), attempts);
  }

  // REP: handler(request, peer_info) -> reply for every request until stop
  // is requested; wakes at least every recv_timeout_ms to check. A handler
  // that throws gets the request answered with an empty frame (REP must
  // answer to go on) and a "handler.error" event.
  template <class Handler>
  void serve(Handler&& handler, std::stop_token stop) requires is_rep {
    constexpr bool fits = std::is_invocable_v<Handler&, zmq::message_t&, peer_info&>;
    static_assert(fits,
                  "zguard::socket::serve: this socket has no channel, so its handler gets raw frames: "
                  "handler(zmq::message_t const&, peer_info const&) -> bytes; add a service<Req, Rep> channel "
                  "to serve typed requests");
    if constexpr (fits) while (!stop.stop_requested()) {
      auto request = this->recv_frame();
      if (!request) continue;
      auto peer = peer_of(*request);
      std::string reply;
      try {
        reply = std::string(handler(*request, peer));
      } catch (std::exception const& e) {
        this->log().emit("handler.error", severity::warning,
                         {{"socket", core::label()},
                          {"user_id", peer.user_id},
                          {"vouched_client", peer.vouched_client},  // empty: a raw REP takes no vouches
                          {"what", e.what()}});
        reply.clear();
      }
      if (!this->admitted(*request)) {  // revoked while the handler ran: no reply (the connection is cut)
        this->answer_dropped_request();
        continue;
      }
      (void)this->send_frame(zmq::buffer(reply));
    }
  }

  // --- absent operations: each says why ------------------------------------
  template <class... A>
  [[nodiscard]] bool send(A&&...) requires(!sends) {
    if constexpr (Tr::is_authorized)
      static_assert(dependent_false<P>, "zguard::socket: an authorized socket without a channel is a forwarder's side (an XSUB front "
                    "checks publish permissions, an XPUB back subscribe permissions): give it to zguard::proxy, "
                    "which enforces its permissions on every message; it has no raw send or receive (G18)");
    else if constexpr (!P::can_send)
      static_assert(dependent_false<P>,
                    "zguard::socket::send: this socket's pattern only receives (SUB, PULL), so it has no send()");
    else
      static_assert(dependent_false<P>,
                    "zguard::socket::send: a ROUTER without a channel has no send(): raw frames would let any "
                    "routing id be addressed, whoever holds it now; give it a service<Req, Rep> channel (replies "
                    "go by peer_handle, bound to the sender's key and connection) or use it as a proxy front (G8)");
    return false;
  }
  template <class Msg>
    requires(sends && Schema<std::remove_cvref_t<Msg>>)
  [[nodiscard]] bool send(Msg&&) {
    static_assert(dependent_false<Msg>,
                  "zguard::socket::send: this socket has no channel, so it carries raw frames, not typed "
                  "messages; add zguard::service, topic or stream to its policies to send schemas");
    return false;
  }
  template <class Msg>
  std::optional<received<Msg>> receive() requires(!std::is_void_v<Msg>) {
    static_assert(dependent_false<Msg>,
                  "zguard::socket::receive<T>: this socket has no channel, so it carries raw frames, not typed "
                  "messages; add zguard::service, topic or stream to its policies (receive() reads one frame)");
    return std::nullopt;
  }
  template <class Msg = void>
  std::optional<zmq::message_t> receive() requires(std::is_void_v<Msg> && !receives) {
    absent_receive<Msg>("receive");
    return std::nullopt;
  }
  std::optional<std::vector<zmq::message_t>> receive_multipart() requires(!receives) {
    absent_receive<void>("receive_multipart");
    return std::nullopt;
  }
  template <class... A>
  void subscribe(A&&...) requires(!std::is_same_v<P, sub>) {
    static_assert(dependent_false<P>,
                  "zguard::socket::subscribe: only a SUB socket subscribes (an XSUB sends its "
                  "subscriptions as messages; other patterns receive everything sent to them)");
  }
  template <class Msg, class... A>
    requires(is_req && Schema<std::remove_cvref_t<Msg>>)
  std::optional<result<std::remove_cvref_t<Msg>>> call(Msg&&, A&&...) {
    static_assert(dependent_false<Msg>,
                  "zguard::socket::call: this socket has no channel; add zguard::service<Req, Rep> to its "
                  "policies to call with typed requests (call(bytes) sends one raw frame)");
    return std::nullopt;
  }
  template <class... A>
  std::optional<zmq::message_t> call(A&&...) requires(!is_req) {
    static_assert(dependent_false<P>,
                  "zguard::socket::call: only a REQ socket has call(): it relies on REQ's lock-step with "
                  "REQ_RELAXED and REQ_CORRELATE to retry a lost reply");
    return std::nullopt;
  }
  template <class... A>
  void serve(A&&...) requires(!is_rep) {
    static_assert(dependent_false<P>,
                  "zguard::socket::serve: only a REP socket serves raw frames; a ROUTER serves with a "
                  "service<Req, Rep> channel");
  }
  template <class... A>
  bool reply(A&&...) {
    static_assert(dependent_false<P>,
                  "zguard::socket::reply: this socket has no channel; a REP or ROUTER with a service<Req, Rep> "
                  "channel answers the requests it hands out with reply(request, answer)");
    return false;
  }

 private:
  template <class X>
  static void absent_receive(char const*) {
    if constexpr (Tr::is_authorized)
      static_assert(dependent_false<X>, "zguard::socket: an authorized socket without a channel is a forwarder's side (an XSUB front "
                    "checks publish permissions, an XPUB back subscribe permissions): give it to zguard::proxy, "
                    "which enforces its permissions on every message; it has no raw send or receive (G18)");
    else if constexpr (!P::can_recv)
      static_assert(dependent_false<X>,
                    "zguard::socket::receive: this socket's pattern only sends (PUB, PUSH), so it receives nothing");
    else
      static_assert(dependent_false<X>,
                    "zguard::socket::receive: a ROUTER without a channel has no receive(): raw frames would let "
                    "any routing id be addressed, whoever holds it now; give it a service<Req, Rep> channel "
                    "(replies go by peer_handle, bound to the sender's key and connection) or use it as a "
                    "proxy front (G8)");
  }
};

}  // namespace detail
}  // namespace v0
}  // namespace zguard
