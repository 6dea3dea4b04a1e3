// zguard/socket/typed_messages.hpp - the operations of a socket with a
// channel: its schemas only (G9), sealed and verified when it is signed
// (G7), routed by peer_handle on a ROUTER (G8), limited per peer (G14),
// vouched behind a broker, authorized (G18). Same names as a raw socket's
// (send, receive, call, serve); what does not apply is still a member whose
// body says why.
//
// A façade over three layers, each in its own header: send_path.hpp (how a
// message goes out), receive_path.hpp (the ordered stages every received
// message passes, stage_*.hpp) and service_protocol.hpp (call, serve).
#pragma once

#include <zmq.hpp>

#include <cstddef>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include <zguard/channel.hpp>
#include <zguard/socket/core.hpp>
#include <zguard/socket/deliveries.hpp>
#include <zguard/socket/service_protocol.hpp>
#include <zguard/vouch.hpp>

namespace zguard {
inline namespace v0 {
namespace detail {

template <class Tr>
class typed_messages : public service_protocol<Tr> {
  using core = socket_core<Tr>;
  using shape = typed_shape<Tr>;
  using sends_type = typename shape::sends_type;
  using receives_type = typename shape::receives_type;
  static constexpr bool sends = shape::sends;
  static constexpr bool receives = shape::receives;
  static constexpr bool topic_set = shape::topic_set;
  static constexpr bool batches_out = shape::batches_out;

 protected:
  using typename Tr::P;
  using typename Tr::L;
  using typename Tr::C;
  using typename Tr::S;
  template <class Msg>
  using delivery = typename receive_path<Tr>::template delivery<Msg>;

 public:
  // The core's arguments, then signing_key<Alg> where the channel sends,
  // verify_keys<Alg> where it receives, a vouched worker's key last.
  template <class Ctx, class... Args>
  explicit typed_messages(Ctx& ctx, Args&&... args) : service_protocol<Tr>(ctx, args...) {
    // Checked here, on the caller's arguments: the core sees them as named.
    if constexpr (check_socket_arguments<Tr, std::remove_cvref_t<Args>...>() && permissions_named<Tr, Args...>()) {
      using at = argument_layout<Tr, sizeof...(Args)>;
      auto all = std::forward_as_tuple(args...);
      if constexpr (Tr::signs)
        this->signer_ =
            std::make_unique<typename decltype(this->signer_)::element_type>(std::get<at::signing_keys_at>(all));
      if constexpr (Tr::verifies)
        this->verifier_ =
            std::make_unique<typename decltype(this->verifier_)::element_type>(std::get<at::verify_keys_at>(all));
      if constexpr (Tr::seals_requests)
        this->sealer_ = std::make_unique<request_sealer>(std::get<at::sealing_at>(all));
      if constexpr (Tr::opens_sealed)
        this->opener_ =
            std::make_unique<typename decltype(this->opener_)::element_type>(std::get<at::sealing_at>(all));
      if constexpr (Tr::seals_feed)
        this->feed_ = std::make_unique<feed_sealer>(std::get<at::sealing_at>(all), C::name, this->signer_->id(),
                                                    Tr::X::rotate, Tr::X::announce, std::uint16_t(Tr::X::pad),
                                                    std::size_t(Tr::X::members));
      if constexpr (Tr::opens_feed)
        this->feed_opener_ = std::make_unique<feed_opener>(std::get<at::sealing_at>(all), C::name);
      if constexpr (Tr::checks_vouch)
        this->vouch_ = std::make_unique<typename decltype(this->vouch_)::element_type>(std::get<at::vouch_at>(all));
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
        (void)this->flush();
      } catch (...) {  // a destructor does not throw; the send path logged it
      }
  }

  // Sends one message of the channel's schema (a topic channel sends the
  // topic frame first; a signed socket seals it in an envelope). False on
  // timeout (logged). batched<N, Ms>: the message joins the batch being
  // filled, which goes out when N wait or when the oldest has waited Ms
  // (checked at every send); false only when the batch ahead could not go
  // out within send_timeout_ms (logged): the message is then not taken, and
  // the waiting ones stay for the next flush (send_path.hpp).
  template <class Msg>
  [[nodiscard]] bool send(Msg const& msg) requires sends {
    static_assert(schema_type<Msg>,
                  "zguard::socket::send: a socket with a channel sends its channel's schemas, never raw "
                  "frames: its receivers decode (and, when signed, verify) every message (G7, G9)");
    static_assert(!schema_type<Msg> || carries<sends_type, Msg>(),
                  "zguard::socket::send: this socket's channel does not carry that type; "
                  "see the channel policy (service, topic, stream; a one_of<...> carries its alternatives only)");
    if constexpr (!carries<sends_type, Msg>()) return false;
    else if constexpr (batches_out) return this->add_to_batch(msg);
    else if constexpr (shape::is_rep) return this->reply_held(msg);  // the answer to the request it holds, once
    else {
      if constexpr (Tr::seals_feed)
        if (!this->announce_if_due()) return false;
      return this->send_out(this->frame_for(msg));
    }
  }

  // A sealed publisher (G19): its members, each change a new epoch whose key
  // the next send announces to the members now (a removed one never gets
  // it; an added one reads nothing sealed before). rotate_epoch() draws a
  // new key at once; announce_keys() sends the current announcement now
  // (it also goes out every announce_ms before a message); sealing_epoch()
  // is the current epoch's number.
  // A batched publisher first sends what waits, under the epoch it was
  // sent in: an added member reads none of it. add_member is false when the
  // key is a member already or, batched, when the waiting batch could not
  // go out (nothing changed: try again). Removing the last member leaves a
  // feed no one opens (an epoch sealed to none).
  bool add_member(sealing_public_key const& key) requires Tr::seals_feed {
    if (this->feed_->members().contains(key)) return false;
    if constexpr (batches_out)
      if (!this->flush()) return false;
    return this->feed_->add(key);
  }
  bool remove_member(sealing_public_key const& key) requires Tr::seals_feed { return this->feed_->remove(key); }
  sealing_members const& members() const requires Tr::seals_feed { return this->feed_->members(); }
  void rotate_epoch() requires Tr::seals_feed { this->feed_->rotate(); }
  [[nodiscard]] bool announce_keys() requires Tr::seals_feed {
    auto const now = feed_sealer::clock::now();
    (void)this->feed_->announcement_due(now);  // a new epoch first when the key is too old
    return this->announce_now(now);
  }
  std::uint64_t sealing_epoch() const requires Tr::seals_feed { return this->feed_->epoch(); }

  // ROUTER: no send(peer, msg). A ROUTER answers the requests it hands out
  // with reply(request, answer) (service_protocol.hpp): once each, to its
  // sender, while the caller may still call it; a send to a peer_handle
  // could answer one request any number of times.
  template <class Msg>
  [[nodiscard]] bool send(peer_handle const&, Msg const&) requires Tr::is_router {
    static_assert(dependent_false<Msg>,
                  "zguard::socket::send(peer, msg): a ROUTER answers a request with reply(request, answer): "
                  "once, to its sender, while the caller may still call it (G8, G18)");
    return false;
  }

  // The next well-formed message, or nullopt when none came within
  // recv_timeout_ms (also while refused messages keep arriving). Refused
  // messages are logged and counted (receive_path.hpp says which stage
  // refuses what); a REP answers them with a zguard::refusal so the client
  // learns why. On a signed socket only verified messages are returned.
  template <class Msg = receives_type>
  std::optional<delivery<Msg>> receive() requires receives {
    static_assert(schema_type<Msg>,
                  "zguard::socket::receive<T>: a socket with a channel hands out its channel's schemas only, "
                  "decoded (and, when signed, verified): never its raw frames (G7, G9)");
    static_assert(!schema_type<Msg> || std::is_same_v<Msg, receives_type>,
                  "zguard::socket::receive<T>: T is not what this socket's channel delivers");
    if constexpr (!std::is_same_v<Msg, receives_type>) return std::nullopt;
    else return this->receive_one();
  }

  // The next well-formed message decoded into `into` (its storage reused:
  // a steady stream allocates nothing); false when none came within
  // recv_timeout_ms. Refusals as receive(). Not on a ROUTER, whose replies
  // need the peer_handle that receive() gives.
  template <class Msg>
  [[nodiscard]] bool receive(inbox<Msg>& into) requires(receives && !Tr::is_router) {
    static_assert(std::is_same_v<Msg, receives_type>,
                  "zguard::socket::receive(inbox<T>&): T is not what this socket's channel delivers");
    return this->receive_into(into);
  }

  // topics<...> SUB: subscribes to the declared topic `name`, exactly (a
  // message on a longer topic that starts with it is not delivered). A name
  // the channel does not declare throws std::invalid_argument naming the
  // declared ones: nothing outside the declared set can be subscribed to.
  void subscribe(std::string_view name) requires topic_set {
    std::size_t const i = declared_topic(name, "subscribe");
    if (this->subscribed_[i]) return;
    this->zmq_socket().set(zmq::sockopt::subscribe, C::names[i]);
    this->subscribed_[i] = true;
  }
  void unsubscribe(std::string_view name) requires topic_set {
    std::size_t const i = declared_topic(name, "unsubscribe");
    if (!this->subscribed_[i]) return;
    this->zmq_socket().set(zmq::sockopt::unsubscribe, C::names[i]);
    this->subscribed_[i] = false;
  }
  // Whether the socket is subscribed to `name` now (false for an undeclared name).
  bool subscribed(std::string_view name) const requires topic_set {
    std::size_t const i = C::find(name);
    return i < C::count && this->subscribed_[i];
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
                  "zguard::socket::send: a ROUTER only answers, to the peer a request came from: "
                  "reply(*got, answer) with the request receive() handed out (G8)");
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

 private:
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
};

}  // namespace detail
}  // namespace v0
}  // namespace zguard
