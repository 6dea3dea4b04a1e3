// zguard/socket/service_protocol.hpp - the service protocol of a socket
// with a service<Req, Rep> channel: a REQ's call() (one request, retried,
// and what came of it: call_result.hpp), a REP's or ROUTER's serve() (each
// request answered by the handler, or by a zguard::refusal or an
// application_error_reply saying why there is no answer).
#pragma once

#include <exception>
#include <stop_token>
#include <string>
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
      bool sent = false;
      for (int i = 1; i <= attempts; ++i) {
        auto const failures_before = this->handshake_failures();
        if (!this->send_out(this->frame_for(request))) continue;  // sealed anew each attempt: a resent envelope is a replay
        sent = true;
        refusal_window window{this->recv_timeout()};
        auto in = this->next_payload(window);
        if (!in) {
          if (this->handshake_failures() != failures_before) {
            this->log().emit("req.refused_at_handshake", severity::warning,
                             {{"socket", this->label()}, {"handshake", this->last_handshake_failure()}});
            return outcome(call_status::refused_at_handshake, i, this->last_handshake_failure());
          }
          this->log().emit("req.timeout", severity::warning, {{"socket", this->label()}, {"attempt", std::to_string(i)}});
          continue;
        }
        // Decoded once: as the reply, else as what a service answers instead.
        auto reply = result_access::value_in_place<receives_type>();
        auto const error = decode_delivered_into<typename Tr::C>(result_access::slot(reply), *in);
        if (!error) return outcome(std::move(result_access::slot(reply)), i);
        if (auto r = decode<refusal>(in->payload)) return outcome(call_status::refused_by_service, i, refusal_text(*r));
        if (auto a = decode<application_error_reply>(in->payload))
          return outcome(call_status::application_error, i, a->message.str(), a->code);
        this->refuse(in->peer, *error);
        return outcome(call_status::malformed_reply, i, error->message());
      }
      this->log().emit("req.gave_up", severity::warning,
                       {{"socket", this->label()}, {"attempts", std::to_string(attempts)}});
      return outcome(call_status::timed_out, attempts, sent ? "no reply" : "not sent");
    }
  }

  // REP, ROUTER: answers every well-formed request with
  // handler(request, peer) until stop is requested; malformed requests get
  // a refusal. On a signed socket the handler gets the verified request's
  // origin as well: handler(request, peer, origin). A ROUTER sends each
  // reply back to its sender.
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
        auto reply = [&] {
          if constexpr (Tr::verifies) return handler(got->value, got->peer, got->origin);
          else return handler(got->value, got->peer);
        }();
        // Revoked while the handler ran (the key, or its permission to
        // call): no reply; a revoked key's connection is cut.
        if (!this->admitted(this->frames_.back()) || !this->still_permitted(got->peer)) {
          this->answer_dropped_request();
          continue;
        }
        static_assert(carries<sends_type, decltype(reply)>(),
                      "zguard::socket::serve: the handler's reply is not a type this socket's channel carries");
        send_reply(*got, this->frame_for(reply));
      } catch (application_error const& e) {
        // The handler's own answer: the client gets its code and message.
        application_error_reply a;
        a.code = e.code();
        a.message = printable(e.what(), max_application_error_text);  // UTF-8 even from a subclass's what()
        this->log().emit("handler.application_error", severity::info,
                         {{"socket", this->label()}, {"user_id", got->peer.user_id}, {"code", std::to_string(e.code())}});
        if (!this->admitted(this->frames_.back())) {
          this->answer_dropped_request();
          continue;
        }
        send_reply(*got, this->frame_for(a));
      } catch (std::exception const& e) {
        // Its text stays here: it may say more about the service than a peer should learn.
        this->log().emit("handler.error", severity::warning,
                         {{"socket", this->label()}, {"user_id", got->peer.user_id}, {"what", e.what()}});
        if (!this->admitted(this->frames_.back())) {
          this->answer_dropped_request();
          continue;
        }
        send_reply(*got, this->frame_for(this->refusal_of(decode_reason::peer_refused, "handler failed")));
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
  void serve(A&&...) requires(!shape::serves) {
    static_assert(dependent_false<typename Tr::P>,
                  "zguard::socket::serve: only a REP or ROUTER socket with a service<Req, Rep> channel "
                  "serves requests");
  }

 private:
  // A service's refusal in words: its own text for peer_refused, else the
  // decode reason and where.
  static std::string refusal_text(refusal const& r) {
    auto const reason = static_cast<decode_reason>(r.reason);
    return reason == decode_reason::peer_refused
               ? r.field.str()
               : std::string(to_string(reason)) + (r.field.size() ? " at " + r.field.str() : "");
  }
  // The answer to a request: to the ROUTER's peer it came from, or as the REP's reply.
  template <class Delivery>
  void send_reply(Delivery const& got, zmq::message_t&& frame) {
    if constexpr (Tr::is_router) (void)this->send_to(got.from, std::move(frame));
    else (void)this->send_out(std::move(frame));
  }
};

}  // namespace detail
}  // namespace v0
}  // namespace zguard
