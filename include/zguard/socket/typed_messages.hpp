// zguard/socket/typed_messages.hpp - the operations of a socket with a
// channel: its schemas only (G9), sealed and verified when it is signed
// (G7), routed by peer_handle on a ROUTER (G8), limited per peer (G14),
// vouched behind a broker. Same names as a raw socket's (send, receive,
// call, serve); what does not apply is still a member whose body says why.
//
// Every received message goes through one path (next_payload): framing,
// ROUTER routing id, rate limit, broker vouch, envelope verification, then
// decoding. What fails is refused, logged, counted, answered where the
// pattern lets us, and the socket keeps serving.
#pragma once

#include <zmq.hpp>

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <exception>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <stop_token>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <zguard/batching.hpp>
#include <zguard/call_result.hpp>
#include <zguard/channel.hpp>
#include <zguard/codec.hpp>
#include <zguard/envelope.hpp>
#include <zguard/rate_limit.hpp>
#include <zguard/router.hpp>
#include <zguard/socket/core.hpp>
#include <zguard/socket/deliveries.hpp>
#include <zguard/socket/routing.hpp>
#include <zguard/socket/sealing.hpp>
#include <zguard/vouch.hpp>

namespace zguard {
inline namespace v0 {
namespace detail {

// Whether T is a schema, a one_of of schemas or what a topics<...> SUB
// delivers (a variable, so a failed check prints one line).
template <class T>
inline constexpr bool schema_type = carriable<T> || is_topic_message<T>;

// How many messages a batch of this socket holds (0: not batched).
template <class Tr>
constexpr std::size_t batch_capacity() {
  if constexpr (Tr::is_batched) return Tr::B::max_messages;
  else return 0;
}

// The topic a channel's envelopes carry: its name on a topic channel.
template <class C>
constexpr std::string_view envelope_topic() {
  if constexpr (C::kind == channel_kind::topic) return C::name;
  else return {};
}

template <class Tr>
class typed_messages : public socket_core<Tr> {
  using core = socket_core<Tr>;

 protected:
  using typename Tr::P;
  using typename Tr::L;
  using typename Tr::C;
  using typename Tr::S;

 private:
  using sends_type = typename channel_sides<C, P>::sends;
  using receives_type = typename channel_sides<C, P>::receives;
  static constexpr bool is_req = std::is_same_v<P, req>;
  static constexpr bool is_rep = std::is_same_v<P, rep>;
  static constexpr bool sends = P::can_send && !Tr::is_router;
  static constexpr bool receives = P::can_recv;
  static constexpr bool serves = is_rep || Tr::is_router;
  // topics<...> (a SUB): the topic frame says which declared topic, and so
  // which schema, a message is.
  static constexpr bool topic_set = is_topic_set<C>;
  // Read from the checked policies themselves (no trait a user could
  // specialize): how many topics a topics<...> SUB tracks, and how old a
  // vouch may be.
  static constexpr std::size_t topic_slots = [] {
    if constexpr (topic_set) return C::count;
    else return std::size_t(0);
  }();
  static constexpr std::uint32_t vouch_freshness = [] {
    if constexpr (Tr::checks_vouch && VouchPolicy<typename Tr::vouch_type>) return Tr::vouch_type::freshness;
    else return std::uint32_t(1);  // no vouched<...>: unused
  }();
  static constexpr bool topic_frame = C::kind == channel_kind::topic || topic_set;
  static constexpr bool batches_out = Tr::is_batched && sends;
  static constexpr bool batches_in = Tr::is_batched && receives;
  static constexpr bool authorizes_subscriptions = Tr::is_authorized && std::is_same_v<P, xpub>;

 public:
  // What receive() gives: received<T>, verified<T> on a signed socket,
  // routed<T> on a ROUTER.
  template <class Msg>
  using delivery =
      std::conditional_t<Tr::is_router, routed<Msg>, std::conditional_t<Tr::verifies, verified<Msg>, received<Msg>>>;

  // The core's arguments, then signing_key<Alg> where the channel sends,
  // verify_keys<Alg> where it receives, a vouched worker's key last.
  template <class Ctx, class... Args>
  explicit typed_messages(Ctx& ctx, Args&&... args) : core(ctx, args...) {
    // Checked here, on the caller's arguments: the core sees them as named.
    if constexpr (check_socket_arguments<Tr, std::remove_cvref_t<Args>...>() && permissions_named<Tr, Args...>()) {
      using at = argument_layout<Tr, sizeof...(Args)>;
      auto all = std::forward_as_tuple(args...);
      if constexpr (Tr::signs)
        signer_ = std::make_unique<typename decltype(signer_)::element_type>(std::get<at::signing_keys_at>(all));
      if constexpr (Tr::verifies)
        verifier_ = std::make_unique<typename decltype(verifier_)::element_type>(std::get<at::verify_keys_at>(all));
      if constexpr (Tr::checks_vouch)
        vouch_ = std::make_unique<vouch_checker<vouch_freshness>>(std::get<at::vouch_at>(all));
    }
    // A typed SUB receives exactly its channel's topic; a topics<...> SUB
    // starts with none and subscribes at run time.
    if constexpr (std::is_same_v<P, sub> && !topic_set) this->zmq_socket().set(zmq::sockopt::subscribe, C::name);
  }
  typed_messages(typed_messages const&) = delete;
  typed_messages& operator=(typed_messages const&) = delete;
  // A batched sender sends what is still waiting (bounded by send_timeout_ms).
  ~typed_messages() {
    if constexpr (batches_out) try {
        (void)flush();
      } catch (...) {  // a destructor does not throw; the send path logged it
      }
  }

  // Sends one message of the channel's schema (a topic channel sends the
  // topic frame first; a signed socket seals it in an envelope). False on
  // timeout (logged).
  template <class Msg>
  [[nodiscard]] bool send(Msg const& msg) requires sends {
    static_assert(schema_type<Msg>,
                  "zguard::socket::send: a socket with a channel sends its channel's schemas, never raw "
                  "frames: its receivers decode (and, when signed, verify) every message (G7, G9)");
    static_assert(!schema_type<Msg> || carries<sends_type, Msg>(),
                  "zguard::socket::send: this socket's channel does not carry that type; "
                  "see the channel policy (service, topic, stream; a one_of<...> carries its alternatives only)");
    if constexpr (!carries<sends_type, Msg>()) return false;
    else if constexpr (batches_out) return add_to_batch(msg);
    else return send_out(frame_for(msg));
  }

  // batched<N, Ms>: send() puts each message into the batch being filled,
  // which goes out when N wait or when the oldest has waited Ms (checked at
  // every send). send() is false only when the batch ahead of the message
  // could not go out within send_timeout_ms (logged); the message is then
  // not taken, and the waiting ones stay for the next flush.
  //
  // flush(): sends what waits now (true when nothing waits or it went out).
  // flush_if_due(): the same once the oldest has waited Ms; an event loop or
  // an idle producer calls it (flush_due_at() says when).
  [[nodiscard]] bool flush() requires batches_out {
    if (batch_out_.empty()) return true;
    if (!send_out(batch_frame())) return false;
    batch_out_.clear();
    return true;
  }
  [[nodiscard]] bool flush_if_due() requires batches_out {
    if (batch_out_.empty() || std::chrono::steady_clock::now() - batch_out_.oldest() < Tr::B::max_delay) return true;
    return flush();
  }
  std::optional<std::chrono::steady_clock::time_point> flush_due_at() const requires batches_out {
    if (batch_out_.empty()) return std::nullopt;
    return batch_out_.oldest() + Tr::B::max_delay;
  }
  std::size_t waiting() const requires batches_out { return batch_out_.count(); }

  // ROUTER: a reply to the peer a message came from. False (and logged) when
  // the routing id is now bound to another key, the request's connection
  // closed, or the peer is gone (ROUTER_MANDATORY makes that an error, not
  // a silent drop).
  template <class Msg>
  [[nodiscard]] bool send(peer_handle const& to, Msg const& msg) requires Tr::is_router {
    static_assert(carries<sends_type, Msg>(),
                  "zguard::socket::send: this socket's channel does not carry that type; "
                  "see the channel policy (service, topic, stream; a one_of<...> carries its alternatives only)");
    if constexpr (!carries<sends_type, Msg>()) return false;
    else return send_to(to, frame_for(msg));
  }

  // The next well-formed message, or nullopt when none came within
  // recv_timeout_ms (also while refused messages keep arriving). Malformed
  // messages are refused, logged as "message.refused" and counted; a REP
  // answers them with a zguard::refusal so the client learns why. On a
  // signed socket, envelopes that fail verification are dropped and logged
  // as "verify.<reason>"; only verified messages are returned.
  template <class Msg = receives_type>
  std::optional<delivery<Msg>> receive() requires receives {
    static_assert(schema_type<Msg>,
                  "zguard::socket::receive<T>: a socket with a channel hands out its channel's schemas only, "
                  "decoded (and, when signed, verified): never its raw frames (G7, G9)");
    static_assert(!schema_type<Msg> || std::is_same_v<Msg, receives_type>,
                  "zguard::socket::receive<T>: T is not what this socket's channel delivers");
    if constexpr (!std::is_same_v<Msg, receives_type>) return std::nullopt;
    else for (refusal_window window{this->recv_timeout()};;) {
      auto in = next_message(window);
      if (!in) return std::nullopt;
      auto decoded = decode_delivered<Msg>(*in);
      if (!decoded) {
        refuse_payload(*in, decoded.error());
        answer_refusal(*in, decoded.error().reason, decoded.error().field);
        if constexpr (is_req) return std::nullopt;  // REQ must send before it may receive again
        if (window.closed()) return std::nullopt;
        continue;
      }
      if constexpr (Tr::is_router)
        return routed<Msg>{std::move(decoded.value()), std::move(in->peer), std::move(*in->from), in->origin};
      else if constexpr (Tr::verifies)
        return verified<Msg>(std::move(decoded.value()), in->origin, std::move(in->peer));
      else return received<Msg>{std::move(decoded.value()), std::move(in->peer)};
    }
  }

  // The next well-formed message decoded into `into` (its storage reused:
  // a steady stream allocates nothing); false when none came within
  // recv_timeout_ms. Refusals as receive(). Not on a ROUTER, whose replies
  // need the peer_handle that receive() gives.
  template <class Msg>
  [[nodiscard]] bool receive(inbox<Msg>& into) requires(receives && !Tr::is_router) {
    static_assert(std::is_same_v<Msg, receives_type>,
                  "zguard::socket::receive(inbox<T>&): T is not what this socket's channel delivers");
    for (refusal_window window{this->recv_timeout()};;) {
      auto in = next_message(window);
      if (!in) return false;
      if (auto e = decode_delivered_into(into.value_, *in)) {
        refuse_payload(*in, *e);
        answer_refusal(*in, e->reason, e->field);
        if constexpr (is_req) return false;  // REQ must send before it may receive again
        if (window.closed()) return false;
        continue;
      }
      into.peer_ = in->peer;
      into.origin_ = in->origin;
      return true;
    }
  }

  // REQ: one request, and what came of it (call_result.hpp): the reply,
  // decoded (and verified, when signed); or why there is none: no reply in
  // `attempts` tries (timed_out), the service refused this client's key at
  // the handshake (refused_at_handshake: not retried), the service refused
  // the request (refused_by_service, with its reason), the reply did not
  // decode or verify (malformed_reply), or the handler answered an
  // application_error.
  template <class Req>
  call_result<receives_type> call(Req const& request, int attempts = 3) requires is_req {
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
      auto const failures_before = core::handshake_failures();
      if (!send_out(frame_for(request))) continue;  // sealed anew each attempt: a resent envelope is a replay
      sent = true;
      refusal_window window{this->recv_timeout()};
      auto in = next_payload(window);
      if (!in) {
        if (core::handshake_failures() != failures_before) {
          this->log().emit("req.refused_at_handshake", severity::warning,
                           {{"socket", core::label()}, {"event", core::last_handshake_failure()}});
          return outcome(call_status::refused_at_handshake, i, core::last_handshake_failure());
        }
        this->log().emit("req.timeout", severity::warning, {{"socket", core::label()}, {"attempt", std::to_string(i)}});
        continue;
      }
      if (auto decoded = decode_delivered<receives_type>(*in)) return outcome(std::move(decoded.value()), i);
      if (auto r = decode<refusal>(in->payload)) {
        auto const reason = static_cast<decode_reason>(r->reason);
        std::string why = reason == decode_reason::peer_refused
                              ? r->field.str()
                              : std::string(to_string(reason)) + (r->field.size() ? " at " + r->field.str() : "");
        return outcome(call_status::refused_by_service, i, std::move(why));
      }
      if (auto a = decode<application_error_reply>(in->payload))
        return outcome(call_status::application_error, i, a->message.str(), a->code);
      auto const error = decode<receives_type>(in->payload).error();
      refuse(in->peer, error);
      return outcome(call_status::malformed_reply, i, error.message());
    }
    this->log().emit("req.gave_up", severity::warning, {{"socket", core::label()}, {"attempts", std::to_string(attempts)}});
    return outcome(call_status::timed_out, attempts, sent ? "no reply" : "not sent");
    }
  }

  // REP, ROUTER: answers every well-formed request with
  // handler(request, peer) until stop is requested; malformed requests get
  // a refusal. On a signed socket the handler gets the verified request's
  // origin as well: handler(request, peer, origin). A ROUTER sends each
  // reply back to its sender.
  template <class Handler>
  void serve(Handler&& handler, std::stop_token stop) requires serves {
    constexpr bool fits = Tr::verifies
                              ? std::is_invocable_v<Handler&, receives_type const&, peer_info const&, signed_origin const&>
                              : std::is_invocable_v<Handler&, receives_type const&, peer_info const&>;
    static_assert(fits,
                  "zguard::socket::serve: on a socket with a channel the handler takes the decoded request: "
                  "handler(request, peer_info) -> reply, and on a signed socket handler(request, peer_info, "
                  "signed_origin) -> reply; raw frames are never handed out (G7, G9)");
    if constexpr (fits) while (!stop.stop_requested()) {
      auto got = receive<receives_type>();
      if (!got) continue;
      try {
        auto reply = [&] {
          if constexpr (Tr::verifies) return handler(got->value, got->peer, got->origin);
          else return handler(got->value, got->peer);
        }();
        // Revoked while the handler ran (the key, or its permission to
        // call): no reply; a revoked key's connection is cut.
        if (!this->admitted(frames_.back()) || !still_permitted(got->peer)) {
          this->answer_dropped_request();
          continue;
        }
        if constexpr (Tr::is_router) (void)send(got->from, reply);
        else (void)send(reply);
      } catch (application_error const& e) {
        // The handler's own answer: the client gets its code and message.
        application_error_reply a;
        a.code = e.code();
        a.message = printable(e.what(), max_application_error_text);  // UTF-8 even from a subclass's what()
        this->log().emit("handler.application_error", severity::info,
                         {{"socket", core::label()}, {"user_id", got->peer.user_id}, {"code", std::to_string(e.code())}});
        if (!this->admitted(frames_.back())) {
          this->answer_dropped_request();
          continue;
        }
        if constexpr (Tr::is_router) (void)send_to(got->from, frame_for(a));
        else (void)send_out(frame_for(a));
      } catch (std::exception const& e) {
        // Its text stays here: it may say more about the service than a peer should learn.
        this->log().emit("handler.error", severity::warning,
                         {{"socket", core::label()}, {"user_id", got->peer.user_id}, {"what", e.what()}});
        if (!this->admitted(frames_.back())) {
          this->answer_dropped_request();
          continue;
        }
        if constexpr (Tr::is_router) send_refusal_to(got->from, decode_reason::peer_refused, "handler failed");
        else reply_refusal(decode_reason::peer_refused, "handler failed");
      }
    }
  }

  // topics<...> SUB: subscribes to the declared topic `name`, exactly (a
  // message on a longer topic that starts with it is not delivered). A name
  // the channel does not declare throws std::invalid_argument naming the
  // declared ones: nothing outside the declared set can be subscribed to.
  void subscribe(std::string_view name) requires topic_set {
    std::size_t const i = declared_topic(name, "subscribe");
    if (subscribed_[i]) return;
    this->zmq_socket().set(zmq::sockopt::subscribe, C::names[i]);
    subscribed_[i] = true;
  }
  void unsubscribe(std::string_view name) requires topic_set {
    std::size_t const i = declared_topic(name, "unsubscribe");
    if (!subscribed_[i]) return;
    this->zmq_socket().set(zmq::sockopt::unsubscribe, C::names[i]);
    subscribed_[i] = false;
  }
  // Whether the socket is subscribed to `name` now (false for an undeclared name).
  bool subscribed(std::string_view name) const requires topic_set {
    std::size_t const i = C::find(name);
    return i < C::count && subscribed_[i];
  }

  // --- absent operations: each says why ------------------------------------
  template <class... A>
  [[nodiscard]] bool send(A&&...) requires(!sends && !Tr::is_router) {
    static_assert(dependent_false<P>,
                  "zguard::socket::send: this socket's pattern only receives (SUB, PULL); it sends nothing");
    return false;
  }
  template <class Msg>
  [[nodiscard]] bool send(Msg const&) requires Tr::is_router {
    static_assert(dependent_false<Msg>,
                  "zguard::socket::send: a ROUTER only replies, to the peer a request came from: "
                  "send(got->from, reply) with the peer_handle from receive() (G8)");
    return false;
  }
  template <class Msg>
  [[nodiscard]] bool send(peer_handle const&, Msg const&) requires(!Tr::is_router) {
    static_assert(dependent_false<Msg>,
                  "zguard::socket::send(peer, msg): only a ROUTER addresses a peer; this socket "
                  "sends with send(msg)");
    return false;
  }
  template <class Msg = void>
  std::optional<delivery<Msg>> receive() requires(!receives) {
    static_assert(dependent_false<Msg>,
                  "zguard::socket::receive: this socket's pattern only sends (PUB, PUSH); it receives nothing");
    return std::nullopt;
  }
  template <class... A>
  std::optional<std::vector<zmq::message_t>> receive_multipart(A&&...) {
    static_assert(dependent_false<P>,
                  "zguard::socket::receive_multipart: a socket with a channel reads whole typed messages "
                  "with receive(); its frames are not handed out unchecked (G7, G9)");
    return std::nullopt;
  }
  template <class... A>
  void subscribe(A&&...) requires(!topic_set) {
    static_assert(dependent_false<P>,
                  "zguard::socket::subscribe: a socket with a topic channel subscribes to exactly its "
                  "topic when it is made; other topics are other channels (another socket type)");
  }
  template <class Req, class... A>
  call_result<receives_type> call(Req const&, A&&...) requires(!is_req) {
    static_assert(dependent_false<Req>,
                  "zguard::socket::call: only a REQ socket with a service<Req, Rep> channel has call(); "
                  "a DEALER sends with send() and reads with receive()");
    return call_result<receives_type>(call_status::timed_out, 0);
  }
  template <class... A>
  [[nodiscard]] bool flush(A&&...) requires(!batches_out) {
    static_assert(dependent_false<P>,
                  "zguard::socket::flush: only a sending socket with zguard::batched<N, Ms> holds messages "
                  "back; every other send goes out at once");
    return false;
  }
  template <class... A>
  void serve(A&&...) requires(!serves) {
    static_assert(dependent_false<P>,
                  "zguard::socket::serve: only a REP or ROUTER socket with a service<Req, Rep> channel "
                  "serves requests");
  }

 private:
  template <class Msg>
  static zmq::message_t encoded(Msg const& msg) {
    zmq::message_t frame(encoded_size(msg));
    encode_into(msg, static_cast<std::uint8_t*>(frame.data()));
    return frame;
  }

  std::size_t declared_topic(std::string_view name, char const* what) const requires topic_set {
    std::size_t const i = C::find(name);
    if (i == C::count) {
      std::string declared;
      for (auto n : C::names) declared += (declared.empty() ? "\"" : ", \"") + std::string(n) + "\"";
      throw std::invalid_argument("zguard::socket::" + std::string(what) + ": \"" + wire_name_text(name) +
                                  "\" is not a topic of this socket's channel (declared: " + declared + ")");
    }
    return i;
  }

  // A topic set's envelopes carry the frame's topic (next_payload), not one name.
  static constexpr std::string_view channel_topic() { return envelope_topic<C>(); }

  // The frame a message goes out as: its encoding, or on a signed socket
  // the sealed envelope (header || payload || signature, one frame) with
  // the encoding written straight into it. One allocation, no copy.
  template <class Msg>
  zmq::message_t frame_for(Msg const& msg) {
    if constexpr (Tr::signs)
      return signer_->seal_with(channel_topic(), encoded_size(msg), [&](std::uint8_t* at) { encode_into(msg, at); });
    else
      return encoded(msg);
  }
  // [topic] frame out; libzmq takes the frame's bytes.
  [[nodiscard]] bool send_out(zmq::message_t&& frame) requires(P::can_send) {
    if constexpr (authorizes_subscriptions) admit_subscribers();
    if constexpr (topic_frame)
      if (!this->send_frame(zmq::buffer(C::name), true)) return false;
    return this->send_frame(std::move(frame));
  }

  // A message whose framing (and, when signed, envelope) is acceptable; its
  // payload is still to be decoded. One per socket (in_), refilled by each
  // receive: a message's peer facts are written once, where they are read,
  // never zeroed or copied on the way (they are most of its size).
  struct incoming {
    std::vector<zmq::message_t>& frames;  // frames_: valid until the next receive
    std::span<std::uint8_t const> payload;
    signed_origin origin;
    peer_info peer;
    std::optional<peer_handle> from;  // ROUTER: who sent it
    std::size_t topic;                // topics<...>: which declared topic it came on
  };

  // The decoded message: as the channel's schema (or one_of), or on a
  // topics<...> SUB as the schema of the topic it came on.
  // The payload lies in the last frame (the sealed envelope or the batch
  // when it is one): shared_bytes fields share that frame.
  template <class Msg>
  static result<Msg> decode_delivered(incoming const& in) {
    using access = result_access;
    auto out = access::value_in_place<Msg>();
    if (auto e = decode_delivered_into(access::slot(out), in)) access::fail(out, std::move(*e));
    return out;
  }
  template <class Msg>
  static std::optional<decode_error> decode_delivered_into(Msg& into, incoming const& in) {
    zmq_msg_t* const frame = in.frames.empty() ? nullptr : in.frames.back().handle();
    if constexpr (topic_set) return decode_topic_message(into, in.topic, in.payload, frame);
    else return decode_received(into, in.payload, frame);
  }

  socket_monitor* router_monitor() {
    if constexpr (Tr::monitors_connections) return &this->connections();
    else return nullptr;
  }

  // A stream of refused messages must not hold the caller: recv_timeout_ms
  // after the first refusal of one receive, with no acceptable message in
  // between, that receive ends. Refusals at every stage count, the
  // framing's as well as the decoder's.
  class refusal_window {
   public:
    explicit refusal_window(std::chrono::milliseconds limit) : limit_(limit) {}
    // After a refusal: whether the receive has now refused for too long.
    bool closed() {
      auto const now = std::chrono::steady_clock::now();
      if (!started_) {
        started_ = true;
        until_ = now + limit_;
      }
      return now >= until_;
    }

   private:
    // A flag, not a std::optional: GCC 12 misreads an optional time_point here (-Wmaybe-uninitialized).
    std::chrono::milliseconds limit_;  // the socket's receive timeout, as applied
    std::chrono::steady_clock::time_point until_{};  // set at the first refusal
    bool started_ = false;
  };

  // The next message to decode: the next acceptable frame's payload, or on a
  // batched receiver the next message of the batch being read (a batch's
  // framing was checked whole before its first message is given out).
  incoming* next_message(refusal_window& window) requires receives {
    if constexpr (batches_in) {
      // The rest of a batch from a peer revoked since its frame came is
      // dropped with it (the connection is cut), not handed out.
      if (!batch_in_.done() && !this->admitted(frames_.back())) batch_in_.keep(0);
      if (batch_in_.done()) {
        if (!next_payload(window)) return nullptr;
        batch_in_ = batch_cursor(in_.payload);  // the frame's peer and origin stay in in_ for every item
        if constexpr (Tr::rate_limited) charge_batch();
      }
      in_.origin.batch_index = batch_in_.index();
      in_.payload = batch_in_.next();
      return &in_;
    } else {
      return next_payload(window);
    }
  }

  // A batch pays a token a message (G14): its first was paid with the
  // frame, before any check; the others now that its framing (and
  // signature) held. Those the peer has no token for are dropped from the
  // end of the batch, in one rate.limited event that counts them.
  void charge_batch() requires(batches_in && Tr::rate_limited) {
    std::size_t const rest = batch_in_.left() - 1;
    std::size_t const paid = rest ? buckets_.take(rate_peer_of(in_.peer), rest) : 0;
    if (paid == rest) return;
    batch_in_.keep(paid + 1);
    this->log().emit("rate.limited", severity::warning,
                     {{"socket", core::label()},
                      {"user_id", in_.peer.user_id},
                      {"address", in_.peer.peer_address},
                      {"dropped", std::to_string(rest - paid)}});
  }
  bucket_id rate_peer_of(peer_info const& peer) const requires Tr::rate_limited {
    return bucket_of(Tr::M::kind, peer.user_id.view(), peer.peer_address.view(), std::is_same_v<typename Tr::T, ipc>);
  }

  // The next acceptable message (in_), or null on timeout. Anything else is
  // refused, logged and skipped; a REP answers it with a refusal (it must
  // answer to receive again), a ROUTER answers its sender, a REQ gives up on
  // this reply (it must send again first).
  incoming* next_payload(refusal_window& window) requires receives {
    for (bool first = true;; first = false) {
      if (!first && window.closed()) return nullptr;
      if (!this->recv_frames_into(frames_)) return nullptr;
      incoming& in = in_;
      in.payload = {};
      in.origin = {};
      in.from.reset();
      in.topic = 0;
      read_peer(frames_.back(), in.peer);
      std::size_t skip = 0;  // address frames before the message (ROUTER)
      if constexpr (Tr::is_router) {
        in.from = peers_.admit(in.frames, in.peer, router_monitor(), this->log(), core::label(), skip);
        if (!in.from) continue;
      }
      if constexpr (Tr::rate_limited) {
        // Before any decoding or signature check: a flood costs one lookup.
        // A batch pays for its first message here, for the rest once it is
        // checked (charge_batch).
        if (!buckets_.admit(rate_peer_of(in.peer))) {
          this->log().emit("rate.limited", severity::warning,
                           {{"socket", core::label()}, {"user_id", in.peer.user_id}, {"address", in.peer.peer_address}});
          answer_refusal(in, decode_reason::peer_refused, "rate limited");
          if constexpr (is_req) return nullptr;
          continue;
        }
      }
      if constexpr (Tr::checks_vouch) {
        // Before decoding: the broker's vouch for the client, bound to these
        // payload frames (vouch.hpp). Refused requests are answered and
        // logged; the worker keeps serving.
        auto v = vouch_->check(std::span<zmq::message_t const>(in.frames).subspan(skip));
        if (v.refused) {
          this->log().emit("vouch.refused", severity::warning,
                           {{"socket", core::label()},
                            {"reason", std::string(to_string(*v.refused))},
                            {"claimed_client", v.user_id},
                            {"claimed_key", v.key},
                            {"user_id", in.peer.user_id},
                            {"address", in.peer.peer_address}});
          answer_refusal(in, decode_reason::peer_refused, "vouch: " + std::string(to_string(*v.refused)));
          continue;
        }
        in.peer.vouched_client = std::move(v.user_id);
        in.peer.vouched_kind = v.kind;
        ++skip;
      }
      if constexpr (Tr::is_authorized && C::kind == channel_kind::service) {
        // Before verification and decoding: a peer that may not call this
        // service costs one lookup (G18).
        if (!permitted(in.peer)) {
          answer_refusal(in, decode_reason::peer_refused, "not permitted: call " + std::string(request_subject()));
          continue;
        }
      }
      auto const f = std::span<zmq::message_t const>(in.frames).subspan(skip);
      if constexpr (topic_set) {
        // Before verification: the frame must be exactly a declared topic
        // (else refused) that is subscribed now (else skipped: it came on a
        // prefix match or before an unsubscribe).
        in.topic = f.size() == 2 ? C::find(f[0].to_string_view()) : C::count;
        if (in.topic == C::count) {
          refuse(in.peer, decode_error{decode_reason::wrong_schema, "topic frame", 0});
          continue;
        }
        if (!subscribed_[in.topic]) continue;
      }
      if constexpr (Tr::verifies) {
        auto envelope = unverified_envelope::parse(f, topic_frame);
        std::string_view expected_topic = channel_topic();
        if constexpr (topic_set) expected_topic = C::names[in.topic];  // the envelope must name that topic
        auto outcome = envelope ? std::optional(verifier_->verify(*envelope, expected_topic)) : std::nullopt;
        if (outcome && *outcome) {
          in.payload = outcome->payload();
          in.origin = outcome->origin();
          if (!batch_framing_holds(in)) continue;
          return &in;
        }
        auto const reason = outcome ? outcome->reason() : drop_reason::malformed;
        this->log().emit("verify." + std::string(to_string(reason)), severity::warning,
                         {{"socket", core::label()},
                          {"reason", std::string(to_string(reason))},
                          {"claimed_key", envelope ? envelope->claimed_origin().key.hex() : ""},
                          {"claimed_epoch", envelope ? std::to_string(envelope->claimed_origin().epoch) : ""},
                          {"claimed_sequence", envelope ? std::to_string(envelope->claimed_origin().sequence) : ""},
                          {"claimed_topic", envelope ? std::string(envelope->claimed_topic()) : ""},
                          {"frames", std::to_string(f.size())},
                          {"user_id", in.peer.user_id},
                          {"address", in.peer.peer_address}});
        answer_refusal(in, decode_reason::peer_refused, "envelope: " + std::string(to_string(reason)));
        if constexpr (is_req) return nullptr;
        continue;
      } else {
        if constexpr (topic_set) {
          // checked above
        } else if constexpr (topic_frame) {
          if (f.size() != 2 || f[0].to_string_view() != C::name) {
            refuse(in.peer, decode_error{decode_reason::wrong_schema, "topic frame", 0});
            continue;
          }
        } else if (f.size() != 1) {
          refuse(in.peer, decode_error{decode_reason::trailing_bytes, "extra frames", 0});
          answer_refusal(in, decode_reason::trailing_bytes, "extra frames");
          if constexpr (is_req) return nullptr;
          continue;
        }
        in.payload = bytes_of(f.back());
        if (!batch_framing_holds(in)) continue;
        return &in;
      }
    }
  }

  // A batched receiver takes a frame only when its whole framing holds
  // (batching.hpp); a lone message or a bad batch is refused as one.
  bool batch_framing_holds(incoming const& in) {
    if constexpr (batches_in) {
      if (auto e = check_batch(in.payload, Tr::B::max_messages, max_encoded_size<receives_type>)) {
        refuse(in.peer, *e);
        return false;
      }
    }
    (void)in;
    return true;
  }

  // Batched sender: the waiting messages as one frame, sealed when signed
  // (one signature over all of them, in order) where the batch was built.
  zmq::message_t batch_frame() requires batches_out {
    if constexpr (Tr::signs) {
      return signer_->seal_in_place(channel_topic(), batch_out_.with_room());
    } else {
      auto const b = batch_out_.bytes();
      return zmq::message_t(b.data(), b.size());
    }
  }
  [[nodiscard]] bool add_to_batch(sends_type const& msg) requires batches_out {
    if (batch_out_.full() && !flush()) return false;  // the batch ahead still cannot go out
    auto const now = std::chrono::steady_clock::now();
    batch_out_.add(msg, now);
    if (batch_out_.full() || now - batch_out_.oldest() >= Tr::B::max_delay) (void)flush();  // kept if it fails
    return true;
  }

  // An authorized XPUB admits subscribers when they connect (its ZAP gate,
  // detail/subscriber_gate.hpp) and libzmq applies their subscriptions.
  // Before each send: its monitor's events are read (it reads its own), and
  // the notices of new subscriptions libzmq queues for us are dropped
  // (bounded: a flood cannot hold a send). Revoked subscribers are cut by
  // the core's send (refresh_subscribers).
  void admit_subscribers() requires authorizes_subscriptions {
    if constexpr (Tr::monitors_connections) this->connections().drain();
    auto& sock = this->zmq_socket();
    for (int i = 0; i < 10000; ++i) {
      zmq::message_t m;
      if (!sock.recv(m, zmq::recv_flags::dontwait)) break;
    }
  }

  // The service's subject for call permissions: its request schema's name.
  static constexpr std::string_view request_subject() {
    // A one_of request: the name its versions share (rules.hpp refuses other one_ofs here).
    if constexpr (Tr::is_authorized && C::kind == channel_kind::service) return common_schema_name<receives_type>();
    else return {};
  }
  // Whether the peer may call this service: behind a broker the client it
  // vouched for, as the kind it vouched (never guessed from the text: a
  // PLAIN user may be named like a key), else the ZAP User-Id of the
  // connection as this socket's mechanism authenticates it (a CURVE key, a
  // PLAIN user). No one (behind a NULL front) may call. Denials are logged
  // as authz.denied.
  bool permitted(peer_info const& peer) requires(Tr::is_authorized && C::kind == channel_kind::service) {
    bool const vouched = Tr::checks_vouch;
    std::string_view const who = vouched ? peer.vouched_client.view() : peer.user_id.view();
    std::optional<identity_kind> const kind = vouched ? peer.vouched_kind : identity_kind_of(Tr::M::kind);
    if (kind && this->enforced_permissions().permits(*kind, who, action::call, request_subject())) return true;
    log_denied(action::call, request_subject(), kind, who, peer);
    return false;
  }
  // serve(), before a reply: the permission to call holds still (a
  // permissions reload or replace while the handler ran takes it away).
  bool still_permitted(peer_info const& peer) {
    if constexpr (Tr::is_authorized && C::kind == channel_kind::service) return permitted(peer);
    else return (void)peer, true;
  }
  void log_denied(action a, std::string_view subject, std::optional<identity_kind> kind, std::string_view who,
                  peer_info const& peer) {
    this->log().emit("authz.denied", severity::warning,
                     {{"socket", core::label()},
                      {"action", std::string(to_string(a))},
                      {"subject", std::string(subject)},
                      {"identity", std::string(who)},
                      {"identity_kind", std::string(identity_kind_text(kind))},
                      {"user_id", peer.user_id},
                      {"address", peer.peer_address}});
  }

  // Tells the sender of a refused message why, where the pattern lets us:
  // REP must answer, a ROUTER answers the routing id it came from.
  void answer_refusal(incoming const& in, decode_reason reason, std::string_view field) {
    if constexpr (is_rep) reply_refusal(reason, field);
    else if constexpr (Tr::is_router) {
      if (in.from) send_refusal_to(*in.from, reason, field);
    }
  }

  // ROUTER: the address frames, then the message, to a peer whose routing
  // id is still bound to the key (and connection) it was received from.
  [[nodiscard]] bool send_to(peer_handle const& to, zmq::message_t&& frame) requires Tr::is_router {
    if (!this->admitted_identity(to.user_id(), to.address())) return false;  // revoked since its request
    if (!peers_.may_reply(to, router_monitor(), this->log(), core::label())) return false;
    if (!router_peers::send_address(to, [&](zmq::const_buffer b) { return this->send_frame(b, true); })) return false;
    return send_out(std::move(frame));
  }
  void send_refusal_to(peer_handle const& to, decode_reason reason, std::string_view field) requires Tr::is_router {
    refusal r;
    r.reason = static_cast<std::uint8_t>(reason);
    r.field = field.substr(0, 128);
    (void)send_to(to, frame_for(r));
  }

  // A payload that did not decode; in a batch, the field names its place.
  void refuse_payload(incoming const& in, decode_error e) {
    if constexpr (batches_in)
      e.field = "batch[" + std::to_string(in.origin.batch_index) + "]" + (e.field.empty() ? "" : "." + e.field);
    refuse(in.peer, e);
  }
  // Logs and counts a refused message; the socket goes on.
  // wrong_schema / wrong_version add a "note": what arrived, what this reader takes.
  void refuse(peer_info const& peer, decode_error const& e) {
    if (e.note.empty())
      this->log().emit("message.refused", severity::warning,
                       {{"socket", core::label()}, {"reason", std::string(to_string(e.reason))}, {"field", e.field},
                        {"offset", std::to_string(e.offset)}, {"user_id", peer.user_id}, {"address", peer.peer_address}});
    else
      this->log().emit("message.refused", severity::warning,
                       {{"socket", core::label()}, {"reason", std::string(to_string(e.reason))}, {"field", e.field},
                        {"offset", std::to_string(e.offset)}, {"note", e.note}, {"user_id", peer.user_id},
                        {"address", peer.peer_address}});
  }
  void reply_refusal(decode_reason reason, std::string_view field) requires(P::can_send) {
    refusal r;
    r.reason = static_cast<std::uint8_t>(reason);
    r.field = field.substr(0, 128);
    (void)send_out(frame_for(r));  // signed like every other reply, so the client can trust the refusal
  }

  // The frames of the message being received, reused: no allocation per
  // message once its capacity is reached.
  std::vector<zmq::message_t> frames_ = [] {
    std::vector<zmq::message_t> v;
    v.reserve(4);  // the most a typed message has today: topic, header, payload, signature
    return v;
  }();
  // topics<...> SUB: which declared topics are subscribed now.
  [[no_unique_address]] std::array<bool, topic_slots> subscribed_{};
  [[no_unique_address]] typename signer_part<S, Tr::signs>::type signer_;
  [[no_unique_address]] typename verifier_part<S, Tr::verifies>::type verifier_;
  // On the heap: made once, and GCC's -Wmaybe-uninitialized misreads its
  // map inside a std::optional under the sanitizer build.
  [[no_unique_address]] std::conditional_t<Tr::checks_vouch,
                                           std::unique_ptr<vouch_checker<vouch_freshness>>, no_part>
      vouch_;
  [[no_unique_address]] std::conditional_t<Tr::is_router, router_peers, no_part> peers_;
  // The message being received (next_payload); refers to frames_ (a socket
  // is neither copied nor moved, so the reference stays true).
  incoming in_{frames_, {}, {}, {}, {}, 0};
  // batched<N, Ms>: the batch being filled (sender) or read (receiver).
  // A signed sender's batch is built with the room to seal it in place.
  using batch_room = seal_room<S, Tr::signs>;
  static constexpr std::size_t batch_room_before = batch_room::before(envelope_topic<C>());
  [[no_unique_address]] std::conditional_t<
      batches_out, batch_builder<sends_type, batch_capacity<Tr>(), batch_room_before, batch_room::after>, no_part>
      batch_out_;
  [[no_unique_address]] std::conditional_t<batches_in, batch_cursor, no_part> batch_in_;
  [[no_unique_address]] std::conditional_t<Tr::rate_limited, token_buckets, no_part> buckets_ = make_buckets();
  static auto make_buckets() {
    if constexpr (Tr::rate_limited) return token_buckets(double(L::rate_per_second), double(L::rate_burst));
    else return no_part{};
  }
};

}  // namespace detail
}  // namespace v0
}  // namespace zguard
