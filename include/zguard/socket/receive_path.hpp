// zguard/socket/receive_path.hpp - the one path every received message of
// a socket with a channel takes: an ordered list of stages (judge), each in
// its own header and returning a verdict, applied in one place (settle).
// What fails is refused, logged, counted, answered where the pattern lets
// us, and the socket keeps serving.
#pragma once

#include <zmq.hpp>

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <zguard/batching.hpp>
#include <zguard/rate_limit.hpp>
#include <zguard/socket/deliveries.hpp>
#include <zguard/socket/incoming.hpp>
#include <zguard/socket/request_tickets.hpp>
#include <zguard/socket/send_path.hpp>
#include <zguard/socket/stage_authorize.hpp>
#include <zguard/socket/stage_batch.hpp>
#include <zguard/socket/stage_correlate.hpp>
#include <zguard/socket/stage_decode.hpp>
#include <zguard/socket/stage_frames.hpp>
#include <zguard/socket/stage_rate.hpp>
#include <zguard/socket/stage_route.hpp>
#include <zguard/socket/stage_seal.hpp>
#include <zguard/socket/stage_topic.hpp>
#include <zguard/socket/stage_verify.hpp>
#include <zguard/socket/stage_vouch.hpp>
#include <zguard/socket/verdict.hpp>
#include <zguard/vouch.hpp>

namespace zguard {
inline namespace v0 {
namespace detail {

// A stream of refused messages must not hold the caller: recv_timeout_ms
// after the first refusal of one receive, with no acceptable message in
// between, that receive ends. Refusals at every stage count.
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
  std::chrono::milliseconds limit_;                // the socket's receive timeout, as applied
  std::chrono::steady_clock::time_point until_{};  // set at the first refusal
  bool started_ = false;
};

template <class Tr>
class receive_path : public send_path<Tr> {
  using core = socket_core<Tr>;
  using shape = typed_shape<Tr>;
  using C = typename Tr::C;
  using S = typename Tr::S;
  using receives_type = typename shape::receives_type;

 public:
  using send_path<Tr>::send_path;

  // What receive() gives: received<T>, verified<T> on a signed socket,
  // routed<T> on a ROUTER.
  template <class Msg>
  using delivery =
      std::conditional_t<Tr::is_router, routed<Msg>, std::conditional_t<Tr::verifies, verified<Msg>, received<Msg>>>;

 protected:
  // Read from the checked policies themselves (no trait a user could
  // specialize): how many topics a topics<...> SUB tracks, and how old a
  // vouch may be.
  static constexpr std::size_t topic_slots = [] {
    if constexpr (shape::topic_set) return C::count;
    else return std::size_t(0);
  }();
  static constexpr std::uint32_t vouch_freshness = [] {
    if constexpr (Tr::checks_vouch && VouchPolicy<typename Tr::vouch_type>) return Tr::vouch_type::freshness;
    else return std::uint32_t(1);  // no vouched<...>: unused
  }();

  // The stages, in order; each returns at its first refusal. A stage that
  // does not apply to this socket compiles to nothing.
  verdict judge(incoming& in) requires shape::receives {
    auto const& label = core::label_text();
    // An unsigned correlated request's call id, for a refusal before it is decoded.
    if constexpr (shape::serves && !Tr::verifies) peek_call_id(in);
    // A caller's DEALER: a REP's answer comes after the empty delimiter the request went with.
    if constexpr (shape::calls_async)
      if (in.frames.size() >= 2 && in.frames.front().size() == 0) in.skip = 1;
    // route (G8): a ROUTER's routing id is libzmq's and bound to the key it came with.
    if constexpr (Tr::is_router)
      if (auto v = route_stage(this->peers_, in, this->router_monitor(), this->log(), label); !v.accepted()) return v;
    // rate (G14): a token per message per peer, before any decoding or signature check.
    if constexpr (Tr::rate_limited)
      if (auto v = rate_stage(buckets_, rate_peer_of<Tr>(in.peer), in.peer, this->log(), label); !v.accepted())
        return v;
    // vouch (G3, G18): behind a broker, its vouch for the client, bound to these frames.
    if constexpr (Tr::checks_vouch)
      if (auto v = vouch_stage(*vouch_, in, this->log(), label); !v.accepted()) return v;
    // authorize (G18): the caller may call this service, before verification and decoding
    // (a service of several request schemas judges each request by its header, below: authorizes_each).
    if constexpr (shape::authorizes_calls && !authorizes_each)
      if (auto v = authorize_stage<Tr::checks_vouch>(this->enforced_permissions(), identity_kind_of(Tr::M::kind),
                                                     call_subject<receives_type>(), in.peer, this->log(), label);
          !v.accepted())
        return v;
    // topic (G9): a topics<...> SUB takes exactly a declared topic it is subscribed to now.
    if constexpr (shape::topic_set)
      if (auto v = topic_stage<C>(in, subscribed_); !v.accepted()) return v;
    // ... and a topic<"name", S> receiver only its own topic, not a longer one its prefix matched.
    if constexpr (C::kind == channel_kind::topic)
      if (auto v = own_topic_stage<C>(in); !v.accepted()) return v;
    // verify (G7): the envelope's signature, key, topic, freshness and replay window;
    // frames (G9) on an unsigned socket: the frame count and topic frame.
    if constexpr (Tr::verifies) {
      std::string_view expected_topic = this->channel_topic();
      if constexpr (shape::topic_set) expected_topic = C::names[in.topic];  // the envelope must name that topic
      if (auto v = verify_stage(*verifier_, in, shape::topic_frame, expected_topic, this->log(), label);
          !v.accepted())
        return v;
    } else if (auto v = frames_stage<C, shape::topic_set, shape::topic_frame>(in); !v.accepted()) {
      return v;
    }
    // open (G19): a sealed service opens the request sealed to its key, a
    // sealed client the answer to one of its requests (after verify: the signature covers the sealed bytes).
    if constexpr (Tr::opens_sealed)
      if (auto v = open_request_stage(*opener_, in, this->log(), label); !v.accepted()) return v;
    if constexpr (Tr::seals_requests)
      if (auto v = open_answer_stage(this->pending_, in, this->log(), label); !v.accepted()) return v;
    if constexpr (Tr::opens_feed)
      if (auto v = open_feed_stage(*feed_opener_, in, this->log(), label); !v.accepted()) return v;
    // correlate: a call id in front of the message (inside the signed payload), taken off.
    if constexpr (shape::correlates)
      if (auto v = correlate_stage(in); !v.accepted()) return v;
    // authorize, a service of several request schemas (G18): by the name in the request's header.
    if constexpr (authorizes_each)
      if (auto v = authorize_by_header(in); !v.accepted()) return v;
    // batch framing (G9): a batch's whole framing holds before any of its messages is handed out.
    if constexpr (shape::batches_in)
      return batch_framing_stage(in.payload, Tr::B::max_messages, max_encoded_size<receives_type>);
    return verdict::accept();
    // decode (G9) follows in receive_one / receive_into / call, into the caller's type.
  }

  // Applies a refusal: logged as message.refused where the stage did not
  // log its own event, answered where the pattern lets us. True when a REQ
  // gives up this reply (it must send before it may receive again).
  bool settle(incoming const& in, verdict const& v) {
    if (v.logs_refusal()) refuse(in.peer, v.error());
    if (!v.answers()) return false;
    answer_refusal(in, v.error().reason, v.error().field);
    return shape::is_req;
  }

  // The next acceptable message (in_), or null on timeout (or a REQ's
  // refused reply).
  incoming* next_payload(refusal_window& window) requires shape::receives {
    for (bool first = true;; first = false) {
      if (!first && window.closed()) return nullptr;
      if (!this->recv_frames_into(frames_)) return nullptr;
      incoming& in = in_;
      in.payload = {};
      in.origin = {};
      in.from.reset();
      in.topic = 0;
      in.skip = 0;
      in.call_id = 0;
      in.answer.armed = false;
      read_peer(frames_.back(), in.peer);
      auto const v = judge(in);
      if (v.accepted()) return &in;
      if (settle(in, v)) return nullptr;
    }
  }

  // The next message to decode: the next acceptable frame's payload, or on a
  // batched receiver the next message of the batch being read.
  incoming* next_message(refusal_window& window) requires shape::receives {
    if constexpr (shape::batches_in) {
      // The rest of a batch from a peer revoked since its frame came is
      // dropped with it (the connection is cut), not handed out.
      if (!batch_in_.done() && !this->admitted(frames_.back())) batch_in_.keep(0);
      if (batch_in_.done()) {
        if (!next_payload(window)) return nullptr;
        batch_in_ = batch_cursor(in_.payload);  // the frame's peer and origin stay in in_ for every item
        if constexpr (Tr::rate_limited)
          charge_batch(buckets_, rate_peer_of<Tr>(in_.peer), batch_in_, in_.peer, this->log(), core::label_text());
      }
      in_.origin.batch_index = batch_in_.index();
      in_.payload = batch_in_.next();
      return &in_;
    } else {
      return next_payload(window);
    }
  }

  // The next message that decodes, as the socket delivers it; nullopt when
  // none came within recv_timeout_ms (also while refused ones keep coming).
  std::optional<delivery<receives_type>> receive_one() requires shape::receives {
    using Msg = receives_type;
    for (refusal_window window{this->recv_timeout()};;) {
      auto in = next_message(window);
      if (!in) return std::nullopt;
      auto decoded = result_access::value_in_place<Msg>();
      if (auto v = decode_stage<C, shape::batches_in>(result_access::slot(decoded), *in); !v.accepted()) {
        if (settle(*in, v) || window.closed()) return std::nullopt;
        continue;
      }
      Msg& value = result_access::slot(decoded);
      hold_request(in->peer, subject_of(value), in->call_id, in->answer);
      auto out = [&] {
        if constexpr (Tr::is_router)
          return routed<Msg>{std::move(value), std::move(in->peer), std::move(*in->from), in->origin};
        else if constexpr (Tr::verifies)
          return verified<Msg>(std::move(value), in->origin, std::move(in->peer));
        else return received<Msg>{std::move(value), std::move(in->peer)};
      }();
      if constexpr (shape::serves) {
        out.request_owner_ = tickets_.owner();
        out.request_ = tickets_.newest();
        out.call_id_ = in->call_id;
        if constexpr (Tr::is_router && Tr::opens_sealed) out.answer_ = in->answer;
      }
      return out;
    }
  }
  // The same into `into` (its storage reused: a steady stream allocates nothing).
  bool receive_into(inbox<receives_type>& into) requires(shape::receives && !Tr::is_router) {
    for (refusal_window window{this->recv_timeout()};;) {
      auto in = next_message(window);
      if (!in) return false;
      if (auto v = decode_stage<C, shape::batches_in>(into.value_, *in); !v.accepted()) {
        if (settle(*in, v) || window.closed()) return false;
        continue;
      }
      into.peer_ = in->peer;
      into.origin_ = in->origin;
      hold_request(in->peer, subject_of(into.value_), in->call_id, in->answer);
      return true;
    }
  }

  // A service of several request schemas (a one_of of several names) is
  // authorized per request, by the schema name in the request's header,
  // once the payload is found (after verification on a signed service) and
  // before decoding: decode then takes exactly that name, so the judgement
  // holds for what is handed out, and a caller that may not call it learns
  // nothing of the schema's fields.
  static constexpr bool authorizes_each = shape::authorizes_calls && !one_call_subject<C>();
  verdict authorize_by_header(incoming const& in) {
    reader r(in.payload.data(), in.payload.size());
    wire_header h;
    if (read_wire_header(r, h)) return verdict::accept();  // no name to judge: decode refuses the header
    return authorize_stage<Tr::checks_vouch>(this->enforced_permissions(), identity_kind_of(Tr::M::kind), h.name,
                                             in.peer, this->log(), core::label_text());
  }
  // A service's request's subject (empty where no call is authorized).
  static std::string_view subject_of(receives_type const& value) {
    if constexpr (shape::authorizes_calls) return call_subject_of(value);
    else return (void)value, std::string_view{};
  }

  // A service (REP, ROUTER) numbers the request it hands out, so its answer
  // goes out once (request_tickets.hpp); a REP keeps who asked, for the
  // permission check before its reply and the events, and the request's
  // call id, which its answer echoes.
  void hold_request(peer_info const& peer, std::string_view subject, std::uint64_t call_id, answer_key const& answer) {
    if constexpr (shape::serves) (void)tickets_.issue();
    if constexpr (shape::is_rep) held_ = {peer, subject, call_id, answer};
    else (void)peer, (void)subject, (void)call_id, (void)answer;
  }
  // The ticket a delivery was handed out with: the owner, the number.
  template <class Delivery>
  static std::pair<std::uint64_t, std::uint64_t> request_ticket(Delivery const& d) {
    return {d.request_owner_, d.request_};
  }
  // The key a ROUTER's answer to a delivery's sealed request is sealed with (null: none).
  template <class Delivery>
  static answer_key const* request_answer_key(Delivery const& d) {
    if constexpr (Tr::is_router && Tr::opens_sealed) return &d.answer_;
    else return (void)d, nullptr;
  }
  // The call id a delivery's request came with (0: none), echoed by its answer.
  template <class Delivery>
  static std::uint64_t request_call_id(Delivery const& d) {
    return d.call_id_;
  }

  // Before an answer: the permission to call `subject` (the request's
  // schema name) holds still (a permissions reload or replace while the
  // request was held takes it away).
  bool still_permitted(peer_info const& peer, std::string_view subject) {
    if constexpr (shape::authorizes_calls)
      return call_permitted<Tr::checks_vouch>(this->enforced_permissions(), identity_kind_of(Tr::M::kind), subject,
                                               peer, this->log(), core::label_text());
    else return (void)peer, (void)subject, true;
  }

  // Tells the sender of a refused message why, where the pattern lets us:
  // REP must answer, a ROUTER answers the routing id it came from.
  void answer_refusal(incoming const& in, decode_reason reason, std::string_view field) {
    if constexpr (shape::is_rep) this->reply_refusal(reason, field, in.call_id, &in.answer);
    else if constexpr (Tr::is_router) {
      if (in.from) this->send_refusal_to(*in.from, reason, field, in.call_id, &in.answer);
    }
  }
  // Logs a refused message (counted with the events); the socket goes on.
  // Behind a broker, vouched_client names the client it vouched for (the
  // user_id is the broker's).
  // The "note" says, on a wrong schema or version, what arrived and what
  // this reader takes; empty otherwise (one field set for every emitter).
  void refuse(peer_info const& peer, decode_error const& e) {
    this->log().emit("message.refused", severity::warning,
                     {{"socket", core::label()}, {"reason", std::string(to_string(e.reason))}, {"field", e.field},
                      {"offset", std::to_string(e.offset)}, {"note", e.note}, {"user_id", peer.user_id},
                      {"vouched_client", peer.vouched_client}, {"address", peer.peer_address}});
  }

  // The frames of the message being received, reused: no allocation per
  // message once its capacity is reached.
  std::vector<zmq::message_t> frames_ = [] {
    std::vector<zmq::message_t> v;
    v.reserve(4);  // the most a typed message has today: topic, header, payload, signature
    return v;
  }();
  // A service's requests, numbered, and which were answered: a REP answers
  // its newest only; a ROUTER, in any order, one up to 65536 numbers behind
  // the newest answered (an 8 KiB bitmap).
  [[no_unique_address]] std::conditional_t<shape::serves, request_tickets<shape::is_rep ? 64 : 65536>, no_part>
      tickets_;
  // A REP: who sent the request it holds, and its schema's name (static
  // text: schema names are constants).
  struct held_request {
    peer_info peer;
    std::string_view subject;
    std::uint64_t call_id = 0;  // a correlated request's: its answer echoes it
    answer_key answer;          // a sealed request's: its answer is sealed with it (G19)
  };
  [[no_unique_address]] std::conditional_t<shape::is_rep, held_request, no_part> held_;
  // topics<...> SUB: which declared topics are subscribed now.
  [[no_unique_address]] std::array<bool, topic_slots> subscribed_{};
  [[no_unique_address]] typename verifier_part<S, Tr::verifies>::type verifier_;
  // A sealed service's opener (G19), made from the constructor's sealing_key.
  [[no_unique_address]] typename opener_part<typename Tr::X, Tr::opens_sealed>::type opener_;
  // A sealed subscriber's sealing key and the epoch keys its publishers sealed to it.
  [[no_unique_address]] std::conditional_t<Tr::opens_feed, std::unique_ptr<feed_opener>, no_part> feed_opener_;
  // On the heap: made once, and GCC's -Wmaybe-uninitialized misreads its
  // map inside a std::optional under the sanitizer build.
  [[no_unique_address]] std::conditional_t<Tr::checks_vouch, std::unique_ptr<vouch_checker<vouch_freshness>>, no_part>
      vouch_;

 private:
  // The message being received; refers to frames_ (a socket is neither
  // copied nor moved, so the reference stays true).
  incoming in_{frames_, {}, {}, {}, {}, 0, 0, 0, {}};
  // batched<N, Ms>: the batch being read.
  [[no_unique_address]] std::conditional_t<shape::batches_in, batch_cursor, no_part> batch_in_;
  // Filled at the rate and burst the socket applied (declared, or chosen
  // at start-up within a per_peer_rate_in's ranges).
  [[no_unique_address]] std::conditional_t<Tr::rate_limited, token_buckets, no_part> buckets_ = make_buckets();
  auto make_buckets() {
    if constexpr (Tr::rate_limited)
      return token_buckets(double(this->applied_values().rate_per_second), double(this->applied_values().rate_burst));
    else return no_part{};
  }
};

}  // namespace detail
}  // namespace v0
}  // namespace zguard
