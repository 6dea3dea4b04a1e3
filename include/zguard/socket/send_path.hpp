// zguard/socket/send_path.hpp - how a socket with a channel sends: a
// message as its encoding, or sealed in an envelope when signed (G7); a
// topic channel's topic frame first; a ROUTER's reply only to a routing id
// still bound to the key it came from (G8); a batched sender's batch; the
// refusals a service answers with.
#pragma once

#include <zmq.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <string_view>
#include <type_traits>
#include <utility>

#include <zguard/batching.hpp>
#include <zguard/call_result.hpp>
#include <zguard/channel.hpp>
#include <zguard/codec.hpp>
#include <zguard/detail/call_ids.hpp>
#include <zguard/detail/feed_seal.hpp>
#include <zguard/router.hpp>
#include <zguard/socket/core.hpp>
#include <zguard/socket/routing.hpp>
#include <zguard/socket/sealing.hpp>
#include <zguard/socket/stage_seal.hpp>

namespace zguard {
inline namespace v0 {
namespace detail {

// What a socket with a channel does, read once from its traits.
template <class Tr>
struct typed_shape {
  using P = typename Tr::P;
  using C = typename Tr::C;
  using sends_type = typename channel_sides<C, P>::sends;
  using receives_type = typename channel_sides<C, P>::receives;
  static constexpr bool is_req = std::is_same_v<P, req>;
  static constexpr bool is_rep = std::is_same_v<P, rep>;
  static constexpr bool sends = P::can_send && !Tr::is_router;
  static constexpr bool receives = P::can_recv;
  static constexpr bool serves = is_rep || Tr::is_router;
  // A DEALER with a service channel: a caller's socket (caller.hpp), its
  // requests and their answers correlated by call id.
  static constexpr bool calls_async = std::is_same_v<P, dealer> && C::kind == channel_kind::service;
  // Reads a call id in front of a message: a service's requests, a caller's answers.
  static constexpr bool correlates = serves || calls_async;
  // topics<...> (a SUB): the topic frame says which declared topic, and so
  // which schema, a message is.
  static constexpr bool topic_set = is_topic_set<C>;
  static constexpr bool topic_frame = C::kind == channel_kind::topic || topic_set;
  static constexpr bool batches_out = Tr::is_batched && sends;
  static constexpr bool batches_in = Tr::is_batched && receives;
  static constexpr bool authorizes_calls = Tr::is_authorized && C::kind == channel_kind::service;
  static constexpr bool authorizes_subscriptions = Tr::is_authorized && std::is_same_v<P, xpub>;
};

// How many messages a batch of this socket holds (0: not batched).
template <class Tr>
constexpr std::size_t batch_capacity() {
  if constexpr (Tr::is_batched) return Tr::B::max_messages;
  else return 0;
}

// Whether a batched socket coalesces (coalesced<N, Us>) rather than fills (batched<N, Ms>).
template <class Tr>
constexpr bool batch_coalesces() {
  if constexpr (Tr::is_batched) return Tr::B::coalesces;
  else return false;
}

// The topic a channel's envelopes carry: its name on a topic channel.
template <class C>
constexpr std::string_view envelope_topic() {
  if constexpr (C::kind == channel_kind::topic) return C::name;
  else return {};
}

template <class Tr>
class send_path : public socket_core<Tr> {
  using core = socket_core<Tr>;
  using shape = typed_shape<Tr>;
  using C = typename Tr::C;
  using P = typename Tr::P;
  using S = typename Tr::S;
  using sends_type = typename shape::sends_type;

 public:
  using socket_core<Tr>::socket_core;

  // batched<N, Ms> and coalesced<N, Us>: flush() sends what waits now
  // (true when nothing waits or it went out); flush_if_due() the same once
  // the batch is due (batch_due(); an event loop or an idle producer calls
  // it; flush_due_at() says when).
  [[nodiscard]] bool flush() requires shape::batches_out {
    if (batch_out_.empty()) return true;
    if constexpr (Tr::seals_feed)
      if (!announce_if_due()) return false;
    if (!send_out(batch_frame())) return false;
    batch_out_.clear();
    if constexpr (Tr::B::coalesces) last_frame_ = std::chrono::steady_clock::now();
    return true;
  }
  [[nodiscard]] bool flush_if_due() requires shape::batches_out {
    if (batch_out_.empty() || std::chrono::steady_clock::now() < batch_due()) return true;
    return flush();
  }
  std::optional<std::chrono::steady_clock::time_point> flush_due_at() const requires shape::batches_out {
    if (batch_out_.empty()) return std::nullopt;
    return batch_due();
  }
  std::size_t waiting() const requires shape::batches_out { return batch_out_.count(); }
  template <class... A>
  [[nodiscard]] bool flush(A&&...) requires(!shape::batches_out) {
    static_assert(dependent_false<P>,
                  "zguard::socket::flush: only a sending socket with zguard::batched<N, Ms> or "
                  "zguard::coalesced<N, Us> holds messages back; every other send goes out at once");
    return false;
  }
  template <class... A>
  [[nodiscard]] bool flush_if_due(A&&...) requires(!shape::batches_out) {
    static_assert(dependent_false<P>,
                  "zguard::socket::flush_if_due: only a sending socket with zguard::batched<N, Ms> or "
                  "zguard::coalesced<N, Us> holds messages back; every other send goes out at once");
    return false;
  }
  template <class... A>
  std::optional<std::chrono::steady_clock::time_point> flush_due_at(A&&...) const requires(!shape::batches_out) {
    static_assert(dependent_false<P>,
                  "zguard::socket::flush_due_at: only a sending socket with zguard::batched<N, Ms> or "
                  "zguard::coalesced<N, Us> holds messages back; every other send goes out at once");
    return std::nullopt;
  }
  template <class... A>
  std::size_t waiting(A&&...) const requires(!shape::batches_out) {
    static_assert(dependent_false<P>,
                  "zguard::socket::waiting: only a sending socket with zguard::batched<N, Ms> or "
                  "zguard::coalesced<N, Us> holds messages back; every other send goes out at once");
    return 0;
  }

 protected:
  template <class Msg>
  static zmq::message_t encoded(Msg const& msg) {
    zmq::message_t frame(encoded_size(msg));
    encode_into(msg, static_cast<std::uint8_t*>(frame.data()));
    return frame;
  }
  // A topic set's envelopes carry the frame's topic (the receive path), not one name.
  static constexpr std::string_view channel_topic() { return envelope_topic<C>(); }

  // The frame a message goes out as: its encoding, or on a signed socket
  // the sealed envelope (header || payload || signature, one frame) with
  // the encoding written straight into it. One allocation, no copy. A call
  // id (not 0) goes in front of the encoding, inside the signed payload
  // (detail/call_ids.hpp): a caller's request, a service's answer to one.
  // On a sealed socket (G19) that payload is itself sealed, in place: a
  // client's request to its service's key (the answer's key kept until the
  // answer comes), a service's answer to the key of the request it answers
  // (`answer`; unsealed when there is none: a refusal of a request that
  // could not be opened). The signature covers the sealed bytes.
  template <class Msg>
  zmq::message_t frame_for(Msg const& msg, std::uint64_t call_id = 0, answer_key const* answer = nullptr) {
    std::size_t const prefix = call_id ? call_id_prefix_size : 0;
    std::size_t const plain = prefix + encoded_size(msg);
    auto const fill = [&](std::uint8_t* at) {
      if (call_id) write_call_prefix(at, call_id);
      encode_into(msg, at + prefix);
    };
    auto const out = [&](std::size_t size, auto const& write) {
      if constexpr (Tr::signs) {
        return signer_->seal_with(channel_topic(), size, write);
      } else {
        zmq::message_t frame(size);
        write(static_cast<std::uint8_t*>(frame.data()));
        return frame;
      }
    };
    if constexpr (Tr::seals_feed) {
      (void)answer;
      return out(feed_->sealed_size(plain), [&](std::uint8_t* at) { feed_->seal(at, plain, fill); });
    } else if constexpr (Tr::seals_requests) {
      (void)answer;
      answer_key key;
      auto frame = out(request_sealer::size(plain), [&](std::uint8_t* at) { sealer_->seal(at, plain, fill, key); });
      pending_.add(key);
      return frame;
    } else if constexpr (Tr::opens_sealed) {
      if (answer && answer->armed)
        return out(sealed_answer_overhead + plain, [&](std::uint8_t* at) {
          fill(at + sealed_answer_header);
          std::array<std::uint8_t, seal_nonce_size> nonce{};
          randombytes_buf(nonce.data(), nonce.size());
          seal_answer_with(at, plain, *answer, nonce.data());
        });
      return out(plain, fill);
    } else {
      (void)answer;
      if constexpr (!Tr::signs)
        if (!call_id) return encoded(msg);
      return out(plain, fill);
    }
  }
  // [topic] frame out; libzmq takes the frame's bytes.
  [[nodiscard]] bool send_out(zmq::message_t&& frame) requires(P::can_send) {
    if constexpr (shape::authorizes_subscriptions) admit_subscribers();
    if constexpr (shape::topic_frame)
      if (!this->send_frame(zmq::buffer(C::name), true)) return false;
    return this->send_frame(std::move(frame));
  }

  socket_monitor* router_monitor() {
    if constexpr (Tr::monitors_connections) return &this->connections();
    else return nullptr;
  }
  // ROUTER: the address frames, then the message, to a peer whose routing
  // id is still bound to the key (and connection) it was received from.
  [[nodiscard]] bool send_to(peer_handle const& to, zmq::message_t&& frame) requires Tr::is_router {
    if (!this->admitted_identity(to.user_id(), to.address())) return false;  // revoked since its request
    if (!peers_.may_reply(to, router_monitor(), this->log(), core::label())) return false;
    if (!router_peers::send_address(to, [&](zmq::const_buffer b) { return this->send_frame(b, true); })) return false;
    return send_out(std::move(frame));
  }

  // A zguard::refusal saying why (channel.hpp, refusal_of): to the ROUTER's
  // peer `to`, or as a REP's answer; signed like every other reply, so the
  // client can trust it.
  // Neither waits (core::refusal_answer): a ROUTER's peer that never reads
  // would otherwise hold every other client send_timeout_ms per refusal.
  // A correlated request's refusal carries its call id.
  // A sealed service's refusal of a request it opened is sealed to it (`answer`).
  void send_refusal_to(peer_handle const& to, decode_reason reason, std::string_view field, std::uint64_t call_id = 0,
                       answer_key const* answer = nullptr) requires Tr::is_router {
    typename core::refusal_answer no_wait(*this);
    (void)send_to(to, frame_for(refusal_of(reason, field), call_id, answer));
  }
  void reply_refusal(decode_reason reason, std::string_view field, std::uint64_t call_id = 0,
                     answer_key const* answer = nullptr) requires(P::can_send) {
    typename core::refusal_answer no_wait(*this);
    (void)send_out(frame_for(refusal_of(reason, field), call_id, answer));
  }

  // Batched sender: the waiting messages as one frame, sealed when signed
  // (one signature over all of them, in order) where the batch was built.
  zmq::message_t batch_frame() requires shape::batches_out {
    if constexpr (Tr::seals_feed) {
      // Copied into the frame and sealed there, never in the batch's own
      // buffer: a batch whose send fails is kept, in clear, for the next flush.
      auto const b = batch_out_.bytes();
      return signer_->seal_with(channel_topic(), feed_->sealed_size(b.size()), [&](std::uint8_t* at) {
        feed_->seal(at, b.size(), [&](std::uint8_t* p) { std::memcpy(p, b.data(), b.size()); });
      });
    } else if constexpr (Tr::signs) {
      return signer_->seal_in_place(channel_topic(), batch_out_.with_room());
    } else {
      auto const b = batch_out_.bytes();
      return zmq::message_t(b.data(), b.size());
    }
  }
  [[nodiscard]] bool add_to_batch(sends_type const& msg) requires shape::batches_out {
    if (batch_out_.full() && !flush()) return false;  // the batch ahead still cannot go out
    auto const now = std::chrono::steady_clock::now();
    batch_out_.add(msg, now);
    if (batch_out_.full() || now >= batch_due()) (void)flush();  // kept if it fails
    return true;
  }
  // When the waiting batch is due: batched<N, Ms> once its oldest message
  // has waited Ms; coalesced<N, Us> once Us have passed since the last frame
  // left, so at once on a sender idle that long, and under load one frame
  // every Us with what came in between.
  std::chrono::steady_clock::time_point batch_due() const requires shape::batches_out {
    if constexpr (Tr::B::coalesces) return last_frame_ + Tr::B::max_delay;
    else return batch_out_.oldest() + Tr::B::max_delay;
  }

  // A sealed publisher (G19): the current epoch's key announcement, signed,
  // before the next message when a new epoch began or announce_ms passed
  // since it last went out (what a subscriber that joined late waits for).
  [[nodiscard]] bool announce_if_due() requires Tr::seals_feed {
    auto const now = feed_sealer::clock::now();
    if (!feed_->announcement_due(now)) return true;
    return announce_now(now);
  }
  [[nodiscard]] bool announce_now(feed_sealer::clock::time_point now) requires Tr::seals_feed {
    if (!send_out(signer_->seal(channel_topic(), feed_->announcement()))) return false;
    feed_->announced(now);
    return true;
  }

  // An authorized XPUB admits subscribers when they connect (its ZAP gate,
  // detail/subscriber_gate.hpp) and libzmq applies their subscriptions.
  // Before each send: its monitor's events are read (it reads its own), and
  // the notices of new subscriptions libzmq queues for us are dropped
  // (bounded: a flood cannot hold a send). Revoked subscribers are cut by
  // the core's send (refresh_subscribers).
  void admit_subscribers() requires shape::authorizes_subscriptions {
    if constexpr (Tr::monitors_connections) this->connections().drain();
    auto& sock = this->zmq_socket();
    for (int i = 0; i < 10000; ++i) {
      zmq::message_t m;
      if (!sock.recv(m, zmq::recv_flags::dontwait)) break;
    }
  }

  [[no_unique_address]] typename signer_part<S, Tr::signs>::type signer_;
  [[no_unique_address]] std::conditional_t<Tr::is_router, router_peers, no_part> peers_;
  // A sealed client (G19): its sealer (on the heap, made from the
  // constructor's key) and the keys of the answers it waits for (a REQ its
  // newest request's; a caller's DEALER one per call in flight, at most
  // 65536). A sealed service: its opener, in receive_path.hpp.
  [[no_unique_address]] std::conditional_t<Tr::seals_requests, std::unique_ptr<request_sealer>, no_part> sealer_;
  [[no_unique_address]] std::conditional_t<Tr::seals_requests,
                                           pending_answers<std::is_same_v<P, req> ? 1 : 65536>, no_part>
      pending_;
  // A sealed publisher's members, epoch key and announcement.
  [[no_unique_address]] std::conditional_t<Tr::seals_feed, std::unique_ptr<feed_sealer>, no_part> feed_;

 private:
  // batched<N, Ms>: the batch being filled. A signed sender's batch is built
  // with the room to seal it in place.
  using batch_room = seal_room<S, Tr::signs && !Tr::seals_feed>;
  static constexpr std::size_t batch_room_before = batch_room::before(envelope_topic<C>());
  [[no_unique_address]] std::conditional_t<
      shape::batches_out, batch_builder<sends_type, batch_capacity<Tr>(), batch_room_before, batch_room::after>,
      no_part>
      batch_out_;
  // coalesced<N, Us>: when the last batch left (none yet: long ago).
  [[no_unique_address]] std::conditional_t<shape::batches_out && batch_coalesces<Tr>(),
                                           std::chrono::steady_clock::time_point, no_part>
      last_frame_{};
};

}  // namespace detail
}  // namespace v0
}  // namespace zguard
