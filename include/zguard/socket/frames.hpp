// zguard/socket/frames.hpp - a socket's frames in and out (G8, G9): each
// receive asks whether the peer is still admitted (a revoked peer's
// message is dropped, its connection cut), a REP's reply goes out only
// while its requester is, a feed cuts revoked subscribers before it
// sends, and a refusal's answer never waits. The facets
// (socket/raw_frames.hpp, socket/typed_messages.hpp) build on these.
#pragma once

#include <zmq.hpp>

#include <cerrno>
#include <chrono>
#include <optional>
#include <string_view>
#include <type_traits>
#include <vector>

#include <zguard/detail/flag_scope.hpp>
#include <zguard/detail/frame_io.hpp>
#include <zguard/socket/handle.hpp>

namespace zguard {
inline namespace v0 {
namespace detail {

template <class Tr>
class socket_frames : public socket_handle<Tr> {
  using handle = socket_handle<Tr>;

 protected:
  using typename handle::D;
  using typename handle::T;
  using typename handle::P;
  using typename handle::M;
  using typename handle::L;
  using handle::judges_sessions;
  using handle::label_text;
  using handle::recv_timeout;
  using handle::refresh_subscribers;

 public:
  using handle::handle;
  using handle::label;

 protected:

  // Sends one frame (more = another frame follows). False when it could not
  // be queued within send_timeout_ms, or (ROUTER_MANDATORY) the peer is
  // unknown; both are logged.
  [[nodiscard]] bool send_frame(zmq::const_buffer frame, bool more = false) requires(P::can_send) {
    if constexpr (Tr::gates_subscribers) refresh_subscribers();
    if (!reply_goes_out(more)) return false;
    return send_logged(frame, more);
  }
  // The same for a frame the caller hands over: libzmq takes its bytes,
  // nothing is copied.
  [[nodiscard]] bool send_frame(zmq::message_t&& frame, bool more = false) requires(P::can_send) {
    if constexpr (Tr::gates_subscribers) refresh_subscribers();
    if (!reply_goes_out(more)) return false;
    return send_logged(frame, more);
  }
  // One frame, or nullopt when nothing arrived within recv_timeout_ms. A
  // signal interrupting the wait also gives nullopt, so loops can check
  // their stop condition.
  std::optional<zmq::message_t> recv_frame() requires(P::can_recv) {
    for (int refused = 0;; ++refused) {
      auto f = recv_frame_once();
      if (!f) return f;
      if (admitted(*f)) {
        remember_request(*f);
        return f;
      }
      drop_rest_of_message(f->more());
      if (refused == max_refused_per_receive) return std::nullopt;
      if constexpr (std::is_same_v<P, req>) return std::nullopt;  // a REQ must send again first
    }
  }
  // All frames of one message into `frames` (see recv_frames_into_once);
  // a message from a peer the policy no longer admits is dropped there.
  bool recv_frames_into(std::vector<zmq::message_t>& frames) requires(P::can_recv) {
    for (int refused = 0;; ++refused) {
      if (!recv_frames_into_once(frames)) return false;
      if (admitted(frames.back())) {
        remember_request(frames.back());
        return true;
      }
      answer_dropped_request();
      if (refused == max_refused_per_receive) return false;
      if constexpr (std::is_same_v<P, req>) return false;
    }
  }
  // All frames of one message, or nullopt on timeout.
  std::optional<std::vector<zmq::message_t>> recv_frames() requires(P::can_recv) {
    for (int refused = 0;; ++refused) {
      auto f = recv_frames_once();
      if (!f) return f;
      if (admitted(f->back())) {
        remember_request(f->back());
        return f;
      }
      answer_dropped_request();
      if (refused == max_refused_per_receive) return std::nullopt;
      if constexpr (std::is_same_v<P, req>) return std::nullopt;
    }
  }

  // A CURVE or PLAIN server: whether the peer that sent this message is
  // still admitted by its context's ZAP policy as it stands now
  // (detail/live_admission.hpp); if not, the message is to be dropped, its
  // connection has been cut and the event logged. Every receive asks, and
  // a service asks again before it replies.
  bool admitted(zmq::message_t const& last_frame) {
    if constexpr (judges_sessions) return admission_.admits(last_frame, monitor_.get(), *log_, label_text());
    else return (void)last_frame, true;
  }
  // A reply's addressee (a ROUTER's peer_handle): still admitted?
  bool admitted_identity(std::string_view user_id, std::string_view address) {
    if constexpr (judges_sessions) return admission_.admits_identity(user_id, address, *log_, label_text());
    else return (void)user_id, (void)address, true;
  }
  // While one lives, this socket's sends do not wait: a refusal's answer
  // goes out if the peer's pipe has room, else it is dropped.
  class refusal_answer : flag_scope {
   public:
    explicit refusal_answer(socket_frames& s) : flag_scope(s.answering_refusal_) {}
  };
  // A REP must answer a request before it may receive again: the answer is
  // empty and goes to the connection just cut, so the peer gets nothing.
  void answer_dropped_request() {
    if constexpr (std::is_same_v<P, rep>) (void)sock_.send(zmq::const_buffer(), zmq::send_flags::dontwait);
  }

 private:
  // A REP's reply goes out only while the policy still admits the peer
  // whose request it answers (a revoke between receive and send): else
  // its frames are swallowed and the REP's turn ends with an empty frame
  // to the connection just cut.
  static constexpr bool answers_requests = std::is_same_v<P, rep> && judges_sessions;
  void remember_request(zmq::message_t& last_frame) {
    if constexpr (answers_requests) request_.copy(last_frame);  // shares the frame, copies no bytes
    else (void)last_frame;
  }
  bool reply_goes_out(bool more) {
    if constexpr (answers_requests) {
      if (!replying_) dropping_reply_ = !admitted(request_);
      replying_ = more;
      if (!dropping_reply_) return true;
      if (!more) answer_dropped_request();
      return false;
    } else {
      return (void)more, true;
    }
  }
  [[no_unique_address]] std::conditional_t<answers_requests, zmq::message_t, no_part> request_{};
  bool replying_ = false, dropping_reply_ = false;
  // Refused messages one receive may drop before it returns nothing, so a
  // backlog cannot hold the caller (the peer's connection is cut at the first).
  static constexpr int max_refused_per_receive = 64;
  void drop_rest_of_message(bool more) {
    if (more) count_in(0, true);  // the message ends here: its rest is not read
    drop_frames(sock_, more);
    answer_dropped_request();
  }

  std::optional<zmq::message_t> recv_frame_once() requires(P::can_recv) {
    if constexpr (Tr::monitors_connections)
      if (!await_input()) return std::nullopt;
    auto f = receive_frame(sock_, ready_only_);
    if (f) count_in(f->size(), !f->more());
    return f;
  }
  bool recv_frames_into_once(std::vector<zmq::message_t>& frames) requires(P::can_recv) {
    if constexpr (Tr::monitors_connections)
      if (!await_input()) {
        frames.clear();
        return false;
      }
    if (!receive_frames_into(sock_, frames, ready_only_)) return false;
    count_in(frames);
    return true;
  }
  std::optional<std::vector<zmq::message_t>> recv_frames_once() requires(P::can_recv) {
    if constexpr (Tr::monitors_connections)
      if (!await_input()) return std::nullopt;
    auto f = receive_frames(sock_, ready_only_);
    if (f) count_in(*f);
    return f;
  }
  // Received: a message is counted at its last frame, its bytes as they come.
  void count_in(std::size_t bytes, bool last) {
    pending_in_bytes_ += bytes;
    if (!last) return;
    meter_.in.count(pending_in_bytes_);
    pending_in_bytes_ = 0;
  }
  void count_in(std::vector<zmq::message_t> const& frames) {
    std::size_t bytes = 0;
    for (auto const& f : frames) bytes += f.size();
    meter_.in.count(bytes);
  }
  std::size_t pending_in_bytes_ = 0, pending_out_bytes_ = 0;

  // The raw handle never leaves zguard (socket_access: poll, the proxy).
  friend struct socket_access;
  friend class socket_core<Tr>;
  using handle::admission_;
  using handle::log_;
  using handle::meter_;
  using handle::monitor_;
  using handle::ready_only_;
  using handle::sock_;

  // A bytes buffer (copied by libzmq) or a message (taken by libzmq).
  template <class Frame>
  bool send_logged(Frame& frame, bool more) {
    try {
      auto flags = more ? zmq::send_flags::sndmore : zmq::send_flags::none;
      if (answering_refusal_) flags = flags | zmq::send_flags::dontwait;
      std::size_t const bytes = frame.size();  // a message's is gone once libzmq took it
      auto r = sock_.send(frame, flags);
      if (!r) pending_out_bytes_ = 0;  // a message a frame of which did not go is not counted
      else {
        pending_out_bytes_ += bytes;
        if (!more) {
          meter_.out.count(pending_out_bytes_);
          pending_out_bytes_ = 0;
        }
      }
      // An answer to a refusal that finds the peer's pipe full is dropped
      // unlogged: the refusal itself was logged, and the peer reads nothing.
      if (!r && !answering_refusal_) log_->emit("send.timeout", severity::warning, {{"socket", label()}});
      return r.has_value();
    } catch (zmq::error_t const& e) {
      pending_out_bytes_ = 0;
      if (e.num() != EHOSTUNREACH) throw;
      log_->emit("send.unroutable", severity::warning, {{"socket", label()}});
      return false;
    }
  }

  // Set while a refusal is answered (refusal_answer): the answer never
  // waits, so a peer that does not read its answers (a ROUTER's blocks
  // under ROUTER_MANDATORY) cannot cost everyone else send_timeout_ms a
  // refused message.
  bool answering_refusal_ = false;

  // A ROUTER on a network transport reads its own monitor: while it waits
  // for a message it keeps reading events, so they are logged promptly and
  // the connection table stays current.
  bool await_input() requires(Tr::monitors_connections) {
    auto const until = std::chrono::steady_clock::now() + recv_timeout();
    for (;;) {
      monitor_->drain();
      if (sock_.get(zmq::sockopt::events) & ZMQ_POLLIN) return true;
      auto const left = std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now());
      if (left.count() <= 0) return false;
      zmq_pollitem_t items[] = {{sock_.handle(), 0, ZMQ_POLLIN, 0}, {monitor_->poll_item(), 0, ZMQ_POLLIN, 0}};
      if (zmq_poll(items, 2, long(left.count())) < 0) {
        if (zmq_errno() == EINTR) return false;  // as recv: a signal gives nullopt
        throw zmq::error_t();
      }
    }
  }
};

}  // namespace detail
}  // namespace v0
}  // namespace zguard
