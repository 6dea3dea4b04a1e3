// zguard/socket/service_protocol.hpp - the service protocol of a socket
// with a service<Req, Rep> channel: a REQ's call() (one request, retried,
// and what came of it: call_result.hpp), a REP's or ROUTER's serve() (each
// request answered by the handler, or by a zguard::refusal or an
// application_error_reply saying why there is no answer).
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <exception>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include <zguard/call_result.hpp>
#include <zguard/printable.hpp>
#include <zguard/socket/receive_path.hpp>
#include <zguard/socket/stage_decode.hpp>

namespace zguard {
inline namespace v0 {
namespace detail {

// Whether T is a schema, a one_of of schemas or what a topics<...> SUB
// delivers (a variable, so a failed check prints one line).
template <class T>
inline constexpr bool schema_type = carriable<T> || is_topic_message<T>;

template <class Tr>
class service_protocol : public receive_path<Tr> {
  using shape = typed_shape<Tr>;
  using sends_type = typename shape::sends_type;
  using receives_type = typename shape::receives_type;
  template <class Msg>
  using delivery = typename receive_path<Tr>::template delivery<Msg>;

 public:
  using receive_path<Tr>::receive_path;

  // REQ: one request, and what came of it (call_result.hpp): the reply,
  // decoded (and verified, when signed); or why there is none: no reply in
  // `attempts` tries (timed_out), the service refused this client's key at
  // the handshake (refused_at_handshake: not retried), the service refused
  // the request (refused_by_service, with its reason), the reply did not
  // decode or verify (malformed_reply), or the handler answered an
  // application_error.
  template <class Req>
  call_result<receives_type> call(Req const& request, int attempts = 3) requires shape::is_req {
    static_assert(schema_type<Req>,
                  "zguard::socket::call: a socket with a channel sends its channel's schemas, never raw "
                  "frames: the service decodes (and, when signed, verifies) every request (G7, G9)");
    static_assert(!schema_type<Req> || carries<sends_type, Req>(),
                  "zguard::socket::call: this socket's channel does not carry that request type");
    using outcome = call_result<receives_type>;
    if constexpr (!carries<sends_type, Req>()) return outcome(call_status::timed_out, 0);
    else {
      auto const started = std::chrono::steady_clock::now();
      // Counted for the metrics (metrics.hpp): how the call ended and, when
      // an answer came, how long it took.
      auto const counted = [&](outcome r) {
        this->metrics_meter().count_call(
            std::size_t(r.status()), started,
            r.status() != call_status::timed_out && r.status() != call_status::refused_at_handshake);
        return r;
      };
      bool sent = false;
      for (int i = 1; i <= attempts; ++i) {
        auto const failures_before = this->handshake_failures();
        auto const refusals_before = this->auth_refusals();
        if (!this->send_out(this->frame_for(request))) continue;  // sealed anew each attempt: a resent envelope is a replay
        sent = true;
        // Sealed: the next request's keys while this answer is on the way (best effort: sealing derives them otherwise).
        if constexpr (Tr::seals_requests) (void)this->sealer_->prepare();
        refusal_window window{this->recv_timeout()};
        auto in = wait_for_reply(refusals_before) ? this->next_payload(window) : nullptr;
        if (!in) {
          if (this->handshake_failures() != failures_before) {
            this->log().emit("req.refused_at_handshake", severity::warning,
                             {{"socket", this->label()}, {"handshake", this->last_handshake_failure()}});
            return counted(outcome(call_status::refused_at_handshake, i, this->last_handshake_failure()));
          }
          this->log().emit("req.timeout", severity::warning, {{"socket", this->label()}, {"attempt", std::to_string(i)}});
          continue;
        }
        return counted(answer_of(*in, i));
      }
      this->log().emit("req.gave_up", severity::warning,
                       {{"socket", this->label()}, {"attempts", std::to_string(attempts)}});
      return counted(outcome(call_status::timed_out, attempts, sent ? "no reply" : "not sent"));
    }
  }

  // REP, ROUTER: answers every well-formed request with
  // handler(request, peer) until stop is requested; malformed requests get
  // a refusal. On a signed socket the handler gets the verified request's
  // origin as well: handler(request, peer, origin). A ROUTER sends each
  // reply back to its sender. The handler may throw application_error (the
  // client gets its code and message); any other exception is answered
  // "handler failed".
  template <class Handler>
  void serve(Handler&& handler, std::stop_token stop) requires shape::serves {
    constexpr bool fits = Tr::verifies
                              ? std::is_invocable_v<Handler&, receives_type const&, peer_info const&, signed_origin const&>
                              : std::is_invocable_v<Handler&, receives_type const&, peer_info const&>;
    static_assert(fits,
                  "zguard::socket::serve: on a socket with a channel the handler takes the decoded request: "
                  "handler(request, peer_info) -> reply, and on a signed socket handler(request, peer_info, "
                  "signed_origin) -> reply; raw frames are never handed out (G7, G9)");
    if constexpr (fits) while (!stop.stop_requested()) {
      auto got = this->receive_one();
      if (!got) continue;
      try {
        auto answer = [&] {
          if constexpr (Tr::verifies) return handler(got->value, got->peer, got->origin);
          else return handler(got->value, got->peer);
        }();
        static_assert(carries<sends_type, decltype(answer)>(),
                      "zguard::socket::serve: the handler's reply is not a type this socket's channel carries");
        (void)reply(*got, answer);
      } catch (application_error const& e) {
        (void)reply(*got, e);
      } catch (std::exception const& e) {
        // Its text stays here: it may say more about the service than a peer should learn.
        this->log().emit("handler.error", severity::warning,
                         {{"socket", this->label()},
                          {"user_id", got->peer.user_id},
                          {"vouched_client", got->peer.vouched_client},
                          {"what", e.what()}});
        (void)reply(*got, refused("handler failed"));
      }
    }
  }

  // REP, ROUTER: answers `request`, as receive() handed it out (in an
  // event_loop's handler, or anywhere the request is held), with a reply
  // the channel carries, an application_error (the client's call() gives
  // its code and message) or zguard::refused{"why"} (refused_by_service
  // with that text). The guarantees of serve(): one answer per request (a
  // second, or one to a request this socket did not hand out, is refused
  // and logged as reply.refused; a REP answers the request it holds, the
  // newest), to its sender only, and none when the sender's key or its
  // permission to call was revoked since the request came (the connection
  // of a revoked key is cut). False when the answer did not go out.
  template <class Answer>
  [[nodiscard]] bool reply(delivery<receives_type> const& request, Answer const& answer) requires shape::serves {
    static_assert(is_answer<Answer>,
                  "zguard::socket::reply: a request is answered with a reply this socket's channel carries, "
                  "a zguard::application_error, or zguard::refused{\"why\"}");
    if constexpr (!is_answer<Answer>) return false;
    else {
      auto const [owner, number] = this->request_ticket(request);
      if constexpr (Tr::is_router) {
        if (!take_ticket(owner, number, request.peer)) return false;
        return answer_to(request.peer, this->subject_of(request.value), &request.from, answer,
                         this->request_call_id(request), this->request_answer_key(request));
      } else {
        return answer_held(owner, number, answer);
      }
    }
  }

  // --- absent operations: each says why ------------------------------------
  template <class Req, class... A>
  call_result<receives_type> call(Req const&, A&&...) requires(!shape::is_req) {
    static_assert(dependent_false<Req>,
                  "zguard::socket::call: only a REQ socket with a service<Req, Rep> channel has call(); "
                  "a DEALER sends with send() and reads with receive()");
    return call_result<receives_type>(call_status::timed_out, 0);
  }
  template <class... A>
  bool reply(A&&...) requires(!shape::serves) {
    static_assert(dependent_false<typename Tr::P>,
                  "zguard::socket::reply: only a REP or ROUTER socket with a service<Req, Rep> channel "
                  "answers requests; a REQ reads its reply with call()");
    return false;
  }
  template <class... A>
  void serve(A&&...) requires(!shape::serves) {
    static_assert(dependent_false<typename Tr::P>,
                  "zguard::socket::serve: only a REP or ROUTER socket with a service<Req, Rep> channel "
                  "serves requests");
  }

 protected:
  friend struct socket_access;  // a caller's (caller.hpp) way in: send_call, next_call_answer

  // DEALER with a service channel (a caller's socket): one request in the
  // correlated form (detail/call_ids.hpp), after the empty delimiter a REP
  // needs (a ROUTER echoes it). Never waits: false when it could not be
  // queued now (no peer yet, or its pipe full); the caller tries again.
  template <class Req>
  [[nodiscard]] bool send_call(Req const& request, std::uint64_t call_id) requires shape::calls_async {
    typename socket_core<Tr>::refusal_answer no_wait(*this);
    if (!this->send_frame(zmq::const_buffer(nullptr, 0), true)) return false;
    bool const sent = this->send_out(this->frame_for(request, call_id));
    if constexpr (Tr::seals_requests) (void)this->sealer_->prepare();  // the next call's keys, while this one travels
    return sent;
  }
  // An answer a caller's DEALER received: the call id it names (0: none)
  // and what it says, read as call() reads a reply.
  struct call_answer {
    std::uint64_t call_id;
    call_result<receives_type> result;
  };
  // The next answer that passed the receive stages, or nullopt when none
  // came within the receive timeout (none at all inside an event loop's
  // handler or a caller's dispatch, which receive only what is ready).
  std::optional<call_answer> next_call_answer() requires shape::calls_async {
    refusal_window window{this->recv_timeout()};
    auto in = this->next_payload(window);
    if (!in) return std::nullopt;
    return call_answer{in->call_id, answer_of(*in, 1)};
  }
  // A caller refused an answer (reason: no call id, unknown, completed,
  // expired): logged and counted, never delivered.
  void refuse_call_answer(std::uint64_t call_id, std::string_view reason) requires shape::calls_async {
    this->log().emit("call.reply_refused", severity::warning,
                     {{"socket", this->label()}, {"call_id", std::to_string(call_id)}, {"reason", std::string(reason)}});
  }

  // One caller drives a DEALER at a time: two would each read the other's
  // answers and refuse them as unknown. False when one already does.
  bool claim_caller() requires shape::calls_async { return !std::exchange(caller_claimed_, true); }
  void release_caller() requires shape::calls_async { caller_claimed_ = false; }
  bool caller_claimed_ = false;

  // REP: send(reply) answers the request the REP holds, as reply() does.
  template <class Answer>
  [[nodiscard]] bool reply_held(Answer const& answer) requires shape::is_rep {
    return answer_held(this->tickets_.owner(), this->tickets_.newest(), answer);
  }

 private:
  // What a service answered, decoded once: the reply, else what a service
  // answers instead (a refusal, an application error), else malformed.
  call_result<receives_type> answer_of(incoming& in, int attempt) {
    using outcome = call_result<receives_type>;
    auto reply = result_access::value_in_place<receives_type>();
    auto const error = decode_delivered_into<typename Tr::C>(result_access::slot(reply), in);
    if (!error) return outcome(std::move(result_access::slot(reply)), attempt);
    if (auto r = decode<refusal>(in.payload)) return outcome::refused(attempt, refusal_text(*r));
    if (auto a = decode<application_error_reply>(in.payload))
      return outcome(call_status::application_error, attempt, a->message.str(), a->code);
    this->refuse(in.peer, *error);
    return outcome(call_status::malformed_reply, attempt, error->message());
  }

  // REQ: waits, recv_timeout_ms at most, until the reply can be read or no
  // reply can come: a service refused our key since `before` (a ZAP
  // denial) and no connection has a session up (socket_core::
  // refused_everywhere_since), so the caller learns it at once, not after
  // the whole timeout. In slices, since the monitor's own thread counts.
  // False when no reply can be read.
  bool wait_for_reply(std::uint64_t before) requires shape::is_req {
    using namespace std::chrono;
    auto const until = steady_clock::now() + this->recv_timeout();
    for (;;) {
      if (this->readable()) return true;
      if (this->refused_everywhere_since(before)) return false;
      auto const left = duration_cast<milliseconds>(until - steady_clock::now());
      if (left.count() <= 0) return false;
      zmq_pollitem_t item{this->zmq_socket().handle(), 0, ZMQ_POLLIN, 0};
      if (zmq_poll(&item, 1, long(std::min(left, milliseconds(20)).count())) < 0) return false;  // EINTR: as a timeout
    }
  }

  // A service's refusal in words: its own text for peer_refused, else the
  // decode reason and where.
  static std::string refusal_text(refusal const& r) {
    auto const reason = static_cast<decode_reason>(r.reason);
    return reason == decode_reason::peer_refused
               ? r.field.str()
               : std::string(to_string(reason)) + (r.field.size() ? " at " + r.field.str() : "");
  }
  // What answers a request: a reply the channel carries, an application
  // error, a refusal.
  template <class A>
  static constexpr bool is_answer = std::is_base_of_v<application_error, A> || std::is_same_v<A, refused> ||
                                    (schema_type<A> && carries<sends_type, A>());

  // REP: the answer to ticket (owner, number), which must be the request it
  // holds, judged on who sent that one.
  template <class Answer>
  bool answer_held(std::uint64_t owner, std::uint64_t number, Answer const& answer) requires shape::is_rep {
    if (!take_ticket(owner, number, this->held_.peer)) return false;
    return answer_to(this->held_.peer, this->held_.subject, nullptr, answer, this->held_.call_id,
                     &this->held_.answer);
  }

  // One answer per request (request_tickets.hpp); a refused one is logged.
  bool take_ticket(std::uint64_t owner, std::uint64_t number, peer_info const& peer) {
    auto const why = this->tickets_.take(owner, number, shape::is_rep);
    if (why.empty()) return true;
    this->log().emit("reply.refused", severity::warning,
                     {{"socket", this->label()},
                      {"user_id", peer.user_id},
                      {"vouched_client", peer.vouched_client},
                      {"reason", std::string(why)}});
    return false;
  }

  // The answer, to the ROUTER's peer the request came from (`to`) or as the
  // REP's reply. Not when the sender was revoked since its request came:
  // a revoked key's connection is cut and gets nothing (the send layer asks:
  // socket/frames.hpp for a REP, send_to for a ROUTER); a caller whose
  // permission to call was taken away gets "not permitted", as its next
  // request would. False then. A correlated request's answer carries its
  // call id (call_id, not 0); a sealed request's is sealed with `seal`.
  template <class Answer>
  bool answer_to(peer_info const& peer, std::string_view subject, peer_handle const* to, Answer const& answer,
                 std::uint64_t call_id, answer_key const* seal) {
    auto const send = [&](zmq::message_t&& frame) {
      if constexpr (Tr::is_router) return this->send_to(*to, std::move(frame));
      else return (void)to, this->send_out(std::move(frame));
    };
    if (!this->still_permitted(peer, subject)) {
      typename socket_core<Tr>::refusal_answer no_wait(*this);
      (void)send(this->frame_for(refusal_of(decode_reason::peer_refused, not_permitted_answer(subject)), call_id, seal));
      return false;
    }
    auto frame = [&] {
      if constexpr (std::is_base_of_v<application_error, Answer>) {
        application_error_reply a;
        a.code = answer.code();
        a.message = printable(answer.what(), max_application_error_text);  // UTF-8 even from a subclass's what()
        this->log().emit("handler.application_error", severity::info,
                         {{"socket", this->label()},
                          {"user_id", peer.user_id},
                          {"vouched_client", peer.vouched_client},
                          {"code", std::to_string(answer.code())}});
        return this->frame_for(a, call_id, seal);
      } else if constexpr (std::is_same_v<Answer, refused>) {
        return this->frame_for(refusal_of(decode_reason::peer_refused, answer.reason()), call_id, seal);
      } else {
        return this->frame_for(answer, call_id, seal);
      }
    }();
    return send(std::move(frame));
  }
};

}  // namespace detail
}  // namespace v0
}  // namespace zguard
