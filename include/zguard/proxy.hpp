// zguard/proxy.hpp - typed, steerable proxies between two zguard sockets
// (G13).
//
//   proxy<Front, Back>   Front/Back: zguard::socket types, each with its own
//                        transport, mechanism, limits and domain
//     ROUTER -> DEALER   queue (request/reply broker)
//     XSUB   -> XPUB     forwarder (publish/subscribe)
//     PULL   -> PUSH     streamer (pipeline)
//
// Frames pass through unchanged, so signed envelopes arrive as the
// publisher sealed them and subscribers behind a forwarder verify the
// original signer: a proxy holds no signing key, and its sides carry no
// channel or signing policy. A ROUTER front keeps the ROUTER rules of typed
// sockets: each routing id bound to the key that first presented it
// (router.identity_mismatch). Every front applies its per_peer_rate, if
// declared, per peer as typed sockets count them (rate.limited): a token a
// message, a batch its count; refused messages are dropped.
// pause(), resume() and terminate() steer it; the destructor terminates it.
// An optional capture socket (a zguard PUB or PUSH of the same domain, no
// channel) gets a copy of every message the proxy passes, both ways.
// A forwarder whose sides are declared `authorized` enforces permissions
// (permissions.hpp, G18): an authorized XSUB front passes a publication on
// only when the publisher's key may publish its topic; an authorized XPUB
// back lets in only subscribers whose key may subscribe to every topic
// (libzmq 4.3.4 cannot safely filter one subscription at a time: see
// detail/subscriber_gate.hpp), and passes their subscriptions upstream.
// Refusals are authz.denied events; anything else from the back is dropped.
// A queue declared proxy<Front, Back, vouch_clients<blake2b_mac>> and made
// with the signing_key<blake2b_mac> it shares with its workers vouches for
// each request's client (vouch.hpp): one MACed frame after the routing
// envelope, checked by vouched<...> workers, naming the client's User-Id
// and its kind, which the front's mechanism decides (a CURVE front's
// clients are keys, a PLAIN front's users). Replies pass unchanged.
#pragma once

#include <zmq.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include <zguard/batching.hpp>
#include <zguard/call_result.hpp>
#include <zguard/channel.hpp>
#include <zguard/codec.hpp>
#include <zguard/detail/feed_seal.hpp>
#include <zguard/context.hpp>
#include <zguard/detail/bytes.hpp>
#include <zguard/detail/policy_set.hpp>
#include <zguard/detail/router_admission.hpp>
#include <zguard/endpoint.hpp>
#include <zguard/envelope.hpp>
#include <zguard/events.hpp>
#include <zguard/identity.hpp>
#include <zguard/pattern.hpp>
#include <zguard/permissions.hpp>
#include <zguard/rate_limit.hpp>
#include <zguard/router.hpp>
#include <zguard/socket.hpp>
#include <zguard/vouch.hpp>

namespace zguard {
inline namespace v0 {

namespace detail {
template <class F, class B>
inline constexpr bool proxy_pair = (std::is_same_v<F, router> && std::is_same_v<B, dealer>) ||
                                   (std::is_same_v<F, xsub> && std::is_same_v<B, xpub>) ||
                                   (std::is_same_v<F, pull> && std::is_same_v<B, push>);
}  // namespace detail

template <class Front, class Back, class... Options>
class proxy {
  static_assert(((detail::is_vouch_clients<Options> && ...) || false) && sizeof...(Options) <= 1,
                "zguard::proxy<Front, Back, Options...>: the only option is zguard::vouch_clients<blake2b_mac>, "
                "at most once");
  static constexpr bool vouches = sizeof...(Options) == 1;
  // A look-alike side is refused once: the checks below read the sides'
  // views, which for anything but a socket are no socket's (not valid).
  static constexpr bool sockets = detail::is_zguard_socket<Front> && detail::is_zguard_socket<Back>;
  static_assert(sockets || false, "zguard::proxy: both sides must be zguard::socket<...> types (no look-alikes)");
  // Naming each side's `valid` runs its rules; a side that breaks one has
  // said which in its own static_assert, so no second error here.
  static_assert(sizeof(std::bool_constant<traits_of<Front>::valid && traits_of<Back>::valid>) != 0);
  static_assert(!sockets ||
                    detail::proxy_pair<typename traits_of<Front>::pattern_type, typename traits_of<Back>::pattern_type>,
                "zguard::proxy<Front, Back>: the sides must be ROUTER -> DEALER (queue), XSUB -> XPUB "
                "(forwarder) or PULL -> PUSH (streamer)");
  static_assert(!sockets || (!traits_of<Front>::typed && !traits_of<Back>::typed && !traits_of<Front>::is_signed &&
                             !traits_of<Back>::is_signed),
                "zguard::proxy: the sides pass frames through unchanged; they carry no channel and no "
                "signing policy (the proxy holds no signing key: receivers verify the original signer) (G13)");
  static_assert(!sockets ||
                    std::is_same_v<typename traits_of<Front>::domain_type, typename traits_of<Back>::domain_type>,
                "zguard::proxy: both sides must belong to one security domain; bridge domains with two "
                "proxies and an explicit check between them (G10)");
  static_assert(!sockets || !vouches || std::is_same_v<typename traits_of<Front>::pattern_type, router>,
                "zguard::proxy: vouch_clients<...> is for a queue (ROUTER -> DEALER): only a ROUTER front "
                "knows the authenticated client of each request");
  using D = typename traits_of<Front>::domain_type;
  using vouch_key = signing_key<blake2b_mac>;

 public:
  // Starts proxying between front and back (both already bound/connected)
  // on a thread of its own. The sockets must outlive the proxy and are used
  // by it alone while it runs.
  proxy(context<D>& ctx, Front& front, Back& back) : proxy(ctx, front, back, nullptr, nullptr) {
    static_assert(!vouches,
                  "zguard::proxy<..., vouch_clients<blake2b_mac>>: a vouching queue needs the key it shares "
                  "with its workers: proxy(ctx, front, back, signing_key<blake2b_mac>)");
  }

  // The same, copying every message to `capture` (it must outlive the proxy).
  template <class Capture>
    requires(!std::is_same_v<std::remove_cv_t<Capture>, vouch_key>)
  proxy(context<D>& ctx, Front& front, Back& back, Capture& capture)
      : proxy(ctx, front, back, capture_handle(capture), nullptr) {
    static_assert(!vouches,
                  "zguard::proxy<..., vouch_clients<blake2b_mac>>: a vouching queue needs the key it shares "
                  "with its workers: proxy(ctx, front, back, capture, signing_key<blake2b_mac>)");
  }

  // A vouching queue: `key` MACs the vouch its vouched<...> workers check.
  proxy(context<D>& ctx, Front& front, Back& back, vouch_key const& key) : proxy(ctx, front, back, nullptr, &key) {
    static_assert(vouches,
                  "zguard::proxy: a key is given but the proxy does not vouch; declare "
                  "proxy<Front, Back, zguard::vouch_clients<zguard::blake2b_mac>>");
  }
  template <class Capture>
  proxy(context<D>& ctx, Front& front, Back& back, Capture& capture, vouch_key const& key)
      : proxy(ctx, front, back, capture_handle(capture), &key) {
    static_assert(vouches,
                  "zguard::proxy: a key is given but the proxy does not vouch; declare "
                  "proxy<Front, Back, zguard::vouch_clients<zguard::blake2b_mac>>");
  }

 private:
  template <class Capture>
  static void* capture_handle(Capture& capture) {
    if constexpr (!detail::is_zguard_socket<Capture>) {
      static_assert(detail::dependent_false<Capture>,
                    "zguard::proxy: the capture socket must be a zguard::socket<...> type (no look-alikes): a "
                    "copy of every message goes to it");
      return nullptr;
    } else {
      static_assert(std::is_same_v<typename traits_of<Capture>::pattern_type, pub> ||
                        std::is_same_v<typename traits_of<Capture>::pattern_type, push>,
                    "zguard::proxy: a capture socket is a zguard PUB or PUSH");
      static_assert(!traits_of<Capture>::typed && !traits_of<Capture>::is_signed,
                    "zguard::proxy: a capture socket carries raw copies of the frames: no channel, no signing");
      static_assert(std::is_same_v<typename traits_of<Capture>::domain_type, D>,
                    "zguard::proxy: the capture socket belongs to another security domain (G10)");
      return detail::socket_access::handle(capture);
    }
  }

  proxy(context<D>& ctx, Front& front, Back& back, void* capture, vouch_key const* key)
      : control_(ctx.native(), zmq::socket_type::pair), label_(Front::label() + " -> " + Back::label()),
        capture_(capture) {
    if constexpr (vouches)
      if (key) voucher_.emplace(*key);
    auto const address = "inproc://zguard-proxy-control-" + std::to_string(reinterpret_cast<std::uintptr_t>(this));
    control_.set(zmq::sockopt::linger, 0);
    control_.bind(address);
    ctx.metrics().add(metered_, metrics_registry::part::proxy, label_, meter_, nullptr);
    thread_ = std::thread([&ctx, &front, &back, address, this] {
      zmq::socket_t steer(ctx.native(), zmq::socket_type::pair);
      steer.set(zmq::sockopt::linger, 0);
      steer.connect(address);
      started_ = true;
      run(ctx.events(), front, back, steer.handle(), detail::socket_access::router_monitor(front), permissions_of(front));
    });
    while (!started_) std::this_thread::yield();
  }

 public:
  proxy(proxy const&) = delete;
  proxy& operator=(proxy const&) = delete;
  ~proxy() { terminate(); }

  void pause() { command("PAUSE"); }
  void resume() { command("RESUME"); }
  void terminate() {
    if (!thread_.joinable()) return;
    command("TERMINATE");
    thread_.join();
  }
  std::string const& label() const { return label_; }
  static std::string profile() {
    return std::string("proxy") + (vouches ? " (vouches for each request's client: blake2b-256)" : "") +
           "\n  front: " + Front::profile() + "\n  back:  " + Back::profile();
  }

 private:
  static constexpr bool router_front = std::is_same_v<typename traits_of<Front>::pattern_type, router>;
  static constexpr bool checks_publish = traits_of<Front>::is_authorized;
  static constexpr bool checks_subscribe = traits_of<Back>::is_authorized;
  template <class Side>
  static permissions const* permissions_of(Side& s) {
    if constexpr (traits_of<Side>::is_authorized) return &detail::socket_access::permissions_of(s);
    else return nullptr;
  }
  // Who a side's peers are; only sides that authenticate (CURVE, PLAIN) ask.
  template <class Side>
  static constexpr identity_kind identity_of_side = *identity_kind_of(traits_of<Side>::mechanism_type::kind);
  void deny(event_log& log, action a, std::string_view subject, zmq::message_t const& from) {
    auto const* uid = zmq_msg_gets(from.handle(), "User-Id");
    auto const* addr = zmq_msg_gets(from.handle(), "Peer-Address");
    log.emit("authz.denied", severity::warning,
             {{"socket", label_},
              {"action", std::string(to_string(a))},
              {"subject", std::string(subject)},
              {"identity", uid ? uid : ""},
              {"identity_kind", std::string(to_string(identity_of_side<Front>))},
              {"user_id", uid ? uid : ""},
              {"address", addr ? addr : ""},
              // A topic no rule could permit (an empty or wildcard token) is a sender's doing, not a policy gap.
              {"reason", valid_subject(subject) ? "not permitted" : "invalid subject"}});
  }
  using front_limits = typename traits_of<Front>::limits_type;
  static constexpr bool front_on_ipc = std::is_same_v<typename traits_of<Front>::transport_type, ipc>;

  // How many messages a frame carries, for the front's rate limit: a batch
  // (batching.hpp), signed or not, gives its count in its first bytes; a
  // sealed feed's message (detail/feed_seal.hpp) in its clear header;
  // anything else is one. Read before any check, which is safe here: the
  // receiver refuses a batch whose items do not match its count exactly,
  // and a sealed message whose header's count is not its batch's, so a
  // false count only charges the sender's own bucket more, or gets nothing
  // delivered.
  static std::size_t frames_messages(zmq::message_t const& last) {
    auto b = detail::bytes_of(last);
    if (auto sealed = detail::split_envelope(b)) b = sealed->payload;
    if (b.size() >= detail::sealed_feed_header && b[0] == detail::sealed_feed_kind)
      return std::max<std::size_t>(1, detail::get_u16(b.data() + detail::sealed_feed_count_at));
    return std::max<std::size_t>(1, detail::messages_in(b));
  }

  // One message (all its frames) from `from` to `to`, moved without copies.
  // Returns false when `from` had nothing; drops the message when `admit`
  // says no.
  template <class Admit>
  bool move_message(void* from, void* to, std::vector<zmq::message_t>& frames, Admit&& admit,
                    detail::traffic_count& passed, std::atomic<std::uint64_t>& dropped) {
    frames.clear();  // reused: no allocation per message
    for (;;) {
      zmq::message_t m;
      if (zmq_msg_recv(m.handle(), from, ZMQ_DONTWAIT) < 0) return !frames.empty();
      bool const more = m.more();
      frames.push_back(std::move(m));
      if (!more) break;
    }
    if (!admit(frames)) {
      dropped.fetch_add(1, std::memory_order_relaxed);
      return true;
    }
    std::size_t bytes = 0;
    for (auto const& f : frames) bytes += f.size();
    if (capture_)
      for (std::size_t i = 0; i < frames.size(); ++i) {
        zmq::message_t copy;
        copy.copy(frames[i]);  // shares the data (refcounted), no byte copy for large frames
        (void)zmq_msg_send(copy.handle(), capture_, ZMQ_DONTWAIT | (i + 1 < frames.size() ? ZMQ_SNDMORE : 0));
      }
    for (std::size_t i = 0; i < frames.size(); ++i)
      if (zmq_msg_send(frames[i].handle(), to, i + 1 < frames.size() ? ZMQ_SNDMORE : 0) < 0) {
        dropped.fetch_add(1, std::memory_order_relaxed);  // full: dropped
        return true;
      }
    passed.count(bytes);
    return true;
  }

  // A request the ROUTER front's rate limit refused is answered as a typed
  // ROUTER answers it ("rate limited; retry after N ms", a zguard.refusal;
  // unsigned: a queue holds no service key), to the routing id and
  // envelope it came with (bound to its key: admitted just before). Never
  // waits: dropped when the client's pipe is full, so a flood cannot hold
  // the queue.
  static void answer_rate_limited(void* front, std::vector<zmq::message_t> const& f, std::chrono::milliseconds after) {
    auto const answer = encode(detail::refusal_of(decode_reason::peer_refused, detail::rate_limited_text(after)));
    auto const route = detail::scan_route(f);
    std::size_t const address_frames = route.has_delimiter ? route.payload_at : 1;
    for (std::size_t i = 0; i < address_frames; ++i) {
      zmq::message_t copy;
      copy.copy(const_cast<zmq::message_t&>(f[i]));  // shares the frame, copies no bytes
      if (zmq_msg_send(copy.handle(), front, ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0) return;
    }
    (void)zmq_send(front, answer.data(), answer.size(), ZMQ_DONTWAIT);
  }

  void run(event_log& log, Front& front_socket, Back& back_socket, void* steer,
           detail::socket_monitor* front_monitor, permissions const* publish_permissions) {
    (void)publish_permissions;  // used by an authorized front only
    void* const front = detail::socket_access::handle(front_socket);
    void* const back = detail::socket_access::handle(back_socket);
    // Routing id -> its key and the connection its latest request came in
    // on: a reply goes back only while that connection is open (G8).
    detail::router_admission admission;
    std::optional<detail::token_buckets> buckets;
    if constexpr (front_limits::rate_limited) {  // at the rate the front applied (chosen at start-up if ranged)
      auto const& applied = detail::socket_access::applied_values(front_socket);
      buckets.emplace(double(applied.rate_per_second), double(applied.rate_burst));
    }
    // The front's per_peer_rate, whatever its pattern: a message a token,
    // so a batch costs its count (frames_messages). A batch passes whole
    // or not at all, so one may overdraw the bucket (token_buckets::charge).
    auto within_rate = [&](std::vector<zmq::message_t> const& f) {
      if (!buckets) return true;
      auto const* uid = zmq_msg_gets(f.back().handle(), "User-Id");
      auto const* addr = zmq_msg_gets(f.back().handle(), "Peer-Address");
      std::string_view const user = uid ? uid : "", address = addr ? addr : "";
      std::size_t const n = frames_messages(f.back());
      auto const peer = detail::bucket_of(traits_of<Front>::mechanism_type::kind, user, address, front_on_ipc);
      if (buckets->charge(peer, n)) return true;
      log.emit("rate.limited", severity::warning,
               {{"socket", label_}, {"user_id", std::string(user)}, {"address", std::string(address)},
                {"dropped", std::to_string(n)}});
      if constexpr (router_front) answer_rate_limited(front, f, buckets->retry_after(peer));
      return false;
    };
    // The ROUTER rules on what enters through the front.
    auto admit_front = [&](std::vector<zmq::message_t>& f) {
      // Whatever the pattern, as on a typed socket: a peer the ZAP policy no
      // longer admits is cut (detail/live_admission.hpp), and a feed back
      // cuts subscribers revoked since its last message.
      if (!detail::socket_access::admitted(front_socket, f.back())) return false;
      detail::socket_access::refresh_subscribers(back_socket);
      if constexpr (!router_front)
        if (!within_rate(f)) return false;
      if constexpr (checks_publish) {
        // A publication: its first frame is the topic (G18).
        auto const* uid = zmq_msg_gets(f.back().handle(), "User-Id");
        auto const topic = f.front().to_string_view();
        if (publish_permissions->permits(identity_of_side<Front>, uid ? uid : "", action::publish, topic)) return true;
        deny(log, action::publish, topic, f.back());
        return false;
      } else if constexpr (!router_front) {
        return true;
      } else {
        // The ROUTER rules, as on a typed ROUTER (detail/router_admission.hpp),
        // with the front's rate limit after the binding.
        auto const* uid = zmq_msg_gets(f.back().handle(), "User-Id");
        auto const* addr = zmq_msg_gets(f.back().handle(), "Peer-Address");
        std::string_view const user = uid ? uid : "", address = addr ? addr : "";
        if (!admission.admit(f, user, address, front_monitor, log, label_, [&] { return within_rate(f); }))
          return false;
        if constexpr (vouches) {
          // After the routing id and, for a REQ peer, its envelope up to the
          // empty delimiter: the vouch, MACed over the payload frames after it.
          auto const at = detail::scan_route(f).payload_at;
          auto v = voucher_->vouch(identity_kind_of(traits_of<Front>::mechanism_type::kind), user,
                                   std::span<zmq::message_t const>(f).subspan(at));
          f.insert(f.begin() + std::ptrdiff_t(at), std::move(v));
        }
        return true;
      }
    };
    // A reply leaves through the front only to the connection its request
    // came from: once that connection closed, its routing id may lead to
    // another peer, so the reply is dropped (router.stale_peer).
    auto admit_back = [&](std::vector<zmq::message_t> const& f) {
      if (!detail::socket_access::admitted(back_socket, f.back())) return false;
      if constexpr (checks_subscribe) {
        // The back lets in only subscribers allowed every topic (its ZAP
        // gate, detail/subscriber_gate.hpp) and libzmq applied their
        // subscriptions: passed upstream here. Nothing else a peer sends up is.
        if (f.size() != 1 || f[0].size() == 0) return false;
        return *static_cast<std::uint8_t const*>(f[0].data()) <= 1;
      } else if constexpr (!router_front) {
        return true;
      } else {
        // The client, revoked while a worker had its request: no reply.
        auto const& bindings = admission.bindings();
        auto const routing_id = f.front().to_string();
        auto const* who = bindings.owner(routing_id);
        if (who && !detail::socket_access::admitted_identity(front_socket, *who, *bindings.address(routing_id)))
          return false;
        if (!front_monitor) return true;
        auto const* connection = bindings.connection(routing_id);
        if (connection && front_monitor->still_open(*connection)) return true;
        detail::router_admission::refuse_reply(log, label_, routing_id, who ? std::string_view(*who) : "",
                                               connection ? "connection closed" : "no request from this routing id");
        return false;
      }
    };
    bool paused = false;
    std::vector<zmq::message_t> frames;
    zmq_pollitem_t items[] = {{steer, 0, ZMQ_POLLIN, 0},
                              {front, 0, ZMQ_POLLIN, 0},
                              {back, 0, ZMQ_POLLIN, 0},
                              {front_monitor ? front_monitor->poll_item() : nullptr, 0, ZMQ_POLLIN, 0}};
    for (;;) {
      if (zmq_poll(items, paused ? 1 : (front_monitor ? 4 : 3), -1) < 0) {
        if (zmq_errno() == EINTR) continue;
        return;  // context terminated
      }
      if (front_monitor && (items[3].revents & ZMQ_POLLIN)) front_monitor->drain();
      if (items[0].revents & ZMQ_POLLIN) {
        zmq::message_t cmd;
        if (zmq_msg_recv(cmd.handle(), steer, 0) >= 0) {
          auto const c = cmd.to_string_view();
          if (c == "TERMINATE") return;
          paused = c == "PAUSE";
        }
        continue;
      }
      // Bounded batches each way, so one busy side cannot starve the other.
      if (items[1].revents & ZMQ_POLLIN)
        for (int i = 0; i < 64 && move_message(front, back, frames, admit_front, meter_.in, meter_.dropped_in); ++i) {}
      if (items[2].revents & ZMQ_POLLIN)
        for (int i = 0; i < 64 && move_message(back, front, frames, admit_back, meter_.out, meter_.dropped_out); ++i) {}
    }
  }

  void command(char const* what) {
    if (thread_.joinable()) (void)control_.send(zmq::buffer(std::string_view(what)), zmq::send_flags::none);
  }
  zmq::socket_t control_;
  std::string label_;
  void* capture_ = nullptr;
  // What it passed and dropped each way, for the context's metrics (metrics.hpp).
  detail::meter meter_;
  metrics_registry::registration metered_;
  std::atomic<bool> started_ = false;
  std::thread thread_;
  // Used by the proxy's thread only, made before it starts.
  [[no_unique_address]] std::conditional_t<vouches, std::optional<detail::voucher>, detail::no_part> voucher_;
};

}  // namespace v0
}  // namespace zguard
