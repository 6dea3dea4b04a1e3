// zguard/socket/core.hpp - what every socket has, whatever it carries: the
// libzmq socket with its declared options and mechanism, its monitor, the
// ZAP accounting of its context, binding and connecting with the endpoint
// rules (G10, G11), and frame I/O for the facets built on it
// (socket/raw_frames.hpp, socket/typed_messages.hpp).
#pragma once

#include <sys/stat.h>
#include <unistd.h>

#include <zmq.hpp>
#include <zmq_addon.hpp>

#include <cerrno>
#include <chrono>
#include <iterator>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <zguard/context.hpp>
#include <zguard/detail/ipc_bind.hpp>
#include <zguard/detail/live_admission.hpp>
#include <zguard/detail/monitor.hpp>
#include <zguard/detail/subscriber_gate.hpp>
#include <zguard/endpoint.hpp>
#include <zguard/events.hpp>
#include <zguard/pattern.hpp>
#include <zguard/socket/arguments.hpp>
#include <zguard/socket/mechanism.hpp>
#include <zguard/socket/options.hpp>
#include <zguard/socket/profile.hpp>
#include <zguard/socket/argument_rules.hpp>

namespace zguard {
inline namespace v0 {

// A socket whose libzmq options no longer match its type (changed behind
// zguard's back): it refuses to bind or connect.
struct socket_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

namespace detail {
struct socket_access;

// Tr (socket/traits.hpp) is a protected base: the facets read it, users
// read zguard::traits_of<S>, and none of its names is a socket's member.
template <class Tr>
class socket_core : protected Tr {
 protected:
  using typename Tr::D;
  using typename Tr::T;
  using typename Tr::P;
  using typename Tr::M;
  using typename Tr::L;

 public:
  // socket(ctx)                           NULL / insecure<...>
  // socket(ctx, authenticator, keypair)   CURVE server
  // socket(ctx, keypair, server_public)   CURVE client
  // socket(ctx, authenticator)            PLAIN server
  // socket(ctx, plain_credentials)        PLAIN client
  // then the other parts in the order of socket/arguments.hpp: the core
  // reads the mechanism's arguments, the runtime limits and the
  // permissions, after all were checked; the facets read their keys.
  template <class Ctx, class... Args>
  explicit socket_core(Ctx& ctx, Args&&... args) : log_(&context_of(ctx).events()), sock_(ctx.native(), P::zmq_type) {
    constexpr bool arguments_ok =
        check_socket_arguments<Tr, std::remove_cvref_t<Args>...>() && permissions_named<Tr, Args...>();
    using at = argument_layout<Tr, sizeof...(Args)>;
    auto all = std::forward_as_tuple(args...);
    // Checked against the type's ranges before any option is set: a value
    // out of range throws runtime_limit_error naming the key and the range.
    if constexpr (arguments_ok && at::runtime_limits_count)
      limits_ = choose_limits<L>(std::get<at::runtime_limits_at>(all));
    apply_declared_options<Tr>(sock_, limits_);
    if constexpr (arguments_ok) {  // no cascade after a failed assert
      if constexpr (at::permissions_count) permissions_ = &std::get<at::permissions_at>(all);
      [&]<std::size_t... I>(std::index_sequence<I...>) {
        apply_mechanism<M>(sock_, zap_, ctx, std::get<at::mechanism_first + I>(all)...);
      }(std::make_index_sequence<at::mechanism_count>{});
      if constexpr (judges_sessions)
        admission_ = live_admission(zap_handler_of().get(), M::kind == mechanism_kind::curve ? "CURVE" : "PLAIN");
      if constexpr (Tr::gates_subscribers) install_subscriber_gate();
    }
    // A ROUTER reads its own monitor: it must know which connections are
    // open before it sends a reply (G8); so does an authorized typed XPUB,
    // which may have to cut them all.
    if constexpr (T::carries_mechanism)
      monitor_ = std::make_unique<socket_monitor>(ctx.native(), sock_, *log_, label(),
                                                  Tr::monitors_connections ? monitor_mode::owner : monitor_mode::thread);
    if constexpr (zap_kind >= 0) {
      zap_count_ = &ctx;
      zap_count_->count_zap_socket(zap_kind, +1);
    }
    if constexpr (M::is_insecure)
      log_->emit("socket.insecure", severity::warning, {{"socket", label()}, {"reason", std::string(M::reason)}});
  }
  socket_core(socket_core const&) = delete;
  socket_core& operator=(socket_core const&) = delete;
  ~socket_core() {
    // First: the gate reads the permissions, which need only outlive the socket.
    if constexpr (Tr::gates_subscribers)
      if (!gate_name_.empty()) zap_handler_of()->remove_gate(gate_name_);
    if constexpr (zap_kind >= 0)
      if (zap_count_) zap_count_->count_zap_socket(zap_kind, -1);
    monitor_.reset();
    sock_.close();
    for (auto const& f : ipc_files_) {  // remove our socket files, not someone else's
      struct stat st {};
      if (::lstat(f.path.c_str(), &st) == 0 && st.st_ino == f.inode) ::unlink(f.path.c_str());
    }
  }

  // --- binding and connecting -------------------------------------------

  bound_endpoint<D, T, P, M> bind(std::string_view address) requires(!std::is_same_v<T, inproc>) {
    endpoint<T> ep(address);
    return bind(ep);
  }
  template <class E>
    requires(std::is_same_v<E, endpoint<T>> && !std::is_same_v<T, inproc>)
  bound_endpoint<D, T, P, M> bind(E const& ep) {
    using bound = bound_endpoint<D, T, P, M>;
    if constexpr (std::is_same_v<T, ipc>) {
      // Checked again now: the endpoint may have been made long ago.
      check_ipc_path(ep.str(), ep.address());
      check_declared_options();
      ipc_files_.push_back(ipc_bind(sock_, ep.address(), ep.ipc_mode()));
      return bound::from_bind(ep.str());
    } else {
      if constexpr (std::is_same_v<T, tcp>) use_ipv6_for(sock_, ep.address());
      check_declared_options();
      sock_.bind(ep.str());
      return bound::from_bind(sock_.get(zmq::sockopt::last_endpoint));
    }
  }
  template <class D2>
  bound_endpoint<D, T, P, M> bind(endpoint<inproc, D2> const& ep) requires std::is_same_v<T, inproc> {
    static_assert(std::is_same_v<D2, D>,
                  "zguard::socket::bind: this inproc endpoint belongs to another security domain (G10)");
    check_declared_options();
    sock_.bind(ep.str());
    return bound_endpoint<D, T, P, M>::from_bind(ep.str());
  }

  void connect(std::string_view address) requires(!std::is_same_v<T, inproc>) {
    endpoint<T> ep(address);
    if constexpr (std::is_same_v<T, tcp>) use_ipv6_for(sock_, ep.address());
    check_declared_options();
    sock_.connect(ep.str());
  }
  template <class D2>
  void connect(endpoint<inproc, D2> const& ep) requires std::is_same_v<T, inproc> {
    static_assert(std::is_same_v<D2, D>,
                  "zguard::socket::connect: this inproc endpoint belongs to another security domain (G10)");
    check_declared_options();
    sock_.connect(ep.str());
  }
  // Connect to an endpoint bound in this program: the pair is checked.
  template <class D2, class T2, class P2, class M2>
  void connect(bound_endpoint<D2, T2, P2, M2> const& ep) {
    static_assert(std::is_same_v<D2, D>,
                  "zguard::socket::connect: the bound endpoint belongs to another security domain (G10)");
    static_assert(std::is_same_v<T2, T>, "zguard::socket::connect: the bound endpoint uses another transport");
    static_assert(compatible_patterns<P, P2>,
                  "zguard::socket::connect: these socket patterns cannot talk to each other "
                  "(e.g. PUSH to SUB); see zguard::compatible_patterns");
    static_assert(compatible_mechanisms<M, M2>,
                  "zguard::socket::connect: the security mechanisms do not match (CURVE client "
                  "<-> CURVE server, PLAIN client <-> PLAIN server, NULL <-> NULL)");
    // Checked again: an ipc path's directories may have been opened to
    // others since bind() (a swapped directory would hold another socket).
    if constexpr (std::is_same_v<T, tcp>) use_ipv6_for(sock_, endpoint<T>(ep.address).address());
    if constexpr (std::is_same_v<T, ipc>) (void)endpoint<T>(ep.address);
    check_declared_options();
    sock_.connect(ep.address);
  }

  // --- audit (G17) ----------------------------------------------------------
  static std::string profile() { return profile_of<Tr>(); }
  static std::string label() { return label_of<Tr>(); }
  // The HWMs, linger and timeouts this socket applied: the chosen values of
  // its ranged tags with the fixed ones ("send_hwm=5000; recv_hwm=1000; ...").
  std::string applied_limits() const { return applied_limits_text(limits_); }

  event_log& events() { return *log_; }
  // Handshakes of this socket that failed so far (none on inproc, which has
  // no handshake), and the event of the latest: how call() tells "refused"
  // from "no answer".
  std::uint64_t handshake_failures() const { return monitor_ ? monitor_->handshake_failures() : 0; }
  std::string last_handshake_failure() const { return monitor_ ? monitor_->last_handshake_failure() : std::string(); }
  // Handshakes of this socket that succeeded so far (a reconnect counts
  // again): how a stage waits for its peers on another host. tcp/ipc only.
  std::uint64_t handshakes_succeeded() requires(T::carries_mechanism) {
    if constexpr (Tr::monitors_connections) monitor_->drain();  // a ROUTER reads its own monitor
    return monitor_->handshakes_succeeded();
  }

  // --- an external event loop (Asio, epoll, poll(2)) ----------------------
  // Harmless next to the no-raw-handle rule: an fd and a readiness flag
  // cannot set an option, send or receive; the handle stays inside.
  //
  // libzmq's ZMQ_FD: edge-triggered. It becomes readable when this socket's
  // readiness may have changed, not once per message: after it signals (and
  // after every send or receive), call readable() and receive until it is
  // false, or later messages go unnoticed. Only wait on it; never read,
  // write or close it (it is libzmq's own).
  zmq::fd_t notification_fd() const { return sock_.get(zmq::sockopt::fd); }
  // A ROUTER on tcp/ipc reads its own monitor (connection table, events;
  // see await_input): wait on this fd too, and call readable() when it
  // signals. nullopt for every other socket (a thread reads theirs).
  std::optional<zmq::fd_t> monitor_notification_fd() const {
    if constexpr (Tr::monitors_connections) {
      zmq::fd_t fd{};
      std::size_t size = sizeof fd;
      if (zmq_getsockopt(monitor_->poll_item(), ZMQ_FD, &fd, &size) != 0) throw zmq::error_t();
      return fd;
    } else {
      return std::nullopt;
    }
  }
  // ZMQ_EVENTS: whether a message can be received now without waiting. On
  // a ROUTER it first reads the monitor's pending events (logged, the
  // connection table updated), as every receive does.
  bool readable() {
    if constexpr (Tr::monitors_connections) monitor_->drain();
    return (sock_.get(zmq::sockopt::events) & ZMQ_POLLIN) != 0;
  }

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
  // label(), made once per socket type: asked for on every message.
  static std::string const& label_text() {
    static std::string const text = label();
    return text;
  }
  // A reply's addressee (a ROUTER's peer_handle): still admitted?
  bool admitted_identity(std::string_view user_id, std::string_view address) {
    if constexpr (judges_sessions) return admission_.admits_identity(user_id, address, *log_, label_text());
    else return (void)user_id, (void)address, true;
  }
  // While one lives, this socket's sends do not wait: a refusal's answer
  // goes out if the peer's pipe has room, else it is dropped.
  class refusal_answer {
   public:
    explicit refusal_answer(socket_core& s) : s_(s) { s_.answering_refusal_ = true; }
    ~refusal_answer() { s_.answering_refusal_ = false; }
    refusal_answer(refusal_answer const&) = delete;
    refusal_answer& operator=(refusal_answer const&) = delete;

   private:
    socket_core& s_;
  };
  // A REP must answer a request before it may receive again: the answer is
  // empty and goes to the connection just cut, so the peer gets nothing.
  void answer_dropped_request() {
    if constexpr (std::is_same_v<P, rep>) (void)sock_.send(zmq::const_buffer(), zmq::send_flags::dontwait);
  }

 private:
  static constexpr bool judges_sessions = T::carries_mechanism && M::role == mechanism_role::server &&
                                          (M::kind == mechanism_kind::curve || M::kind == mechanism_kind::plain);
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
    for (zmq::message_t part; more; more = part.more())
      if (!sock_.recv(part, zmq::recv_flags::dontwait)) break;  // a message's frames arrive together
    answer_dropped_request();
  }

  std::optional<zmq::message_t> recv_frame_once() requires(P::can_recv) {
    if constexpr (Tr::monitors_connections)
      if (!await_input()) return std::nullopt;
    zmq::message_t msg;
    try {
      if (!sock_.recv(msg, ready_only_ ? zmq::recv_flags::dontwait : zmq::recv_flags::none)) return std::nullopt;
    } catch (zmq::error_t const& e) {
      if (e.num() != EINTR) throw;
      return std::nullopt;
    }
    return msg;
  }
  // All frames of one message into `frames`, each received in place into
  // the message object the last message left there (libzmq releases its
  // old content): a steady stream neither allocates nor moves a frame.
  // False on timeout (or a signal); `frames` then holds no frame.
  bool recv_frames_into_once(std::vector<zmq::message_t>& frames) requires(P::can_recv) {
    if constexpr (Tr::monitors_connections)
      if (!await_input()) {
        frames.clear();
        return false;
      }
    std::size_t n = 0;
    for (bool more = true; more; ++n) {
      if (n == frames.size()) frames.emplace_back();
      zmq_msg_t* const m = frames[n].handle();
      if (zmq_msg_recv(m, sock_.handle(), ready_only_ ? ZMQ_DONTWAIT : 0) < 0) {
        zmq::error_t const error;  // errno now, before closing frames
        frames.clear();
        // libzmq hands out a message's frames together: only the first can time out.
        if (error.num() == EAGAIN || error.num() == EINTR) return false;
        throw error;
      }
      more = zmq_msg_more(m) != 0;
    }
    frames.erase(frames.begin() + std::ptrdiff_t(n), frames.end());
    return true;
  }
  std::optional<std::vector<zmq::message_t>> recv_frames_once() requires(P::can_recv) {
    if constexpr (Tr::monitors_connections)
      if (!await_input()) return std::nullopt;
    std::vector<zmq::message_t> frames;
    frames.reserve(4);  // a raw multipart message; typed ones have at most three (vouch, topic, payload)
    try {
      auto const flags = ready_only_ ? zmq::recv_flags::dontwait : zmq::recv_flags::none;
      if (!zmq::recv_multipart(sock_, std::back_inserter(frames), flags)) return std::nullopt;
    } catch (zmq::error_t const& e) {
      if (e.num() != EINTR) throw;
      return std::nullopt;
    }
    return frames;
  }

 protected:
  event_log& log() { return *log_; }
  zmq::socket_t& zmq_socket() { return sock_; }
  // authorized: the permission set this socket enforces (G18).
  permissions const& enforced_permissions() const requires Tr::is_authorized { return *permissions_; }
  // The receive timeout applied (declared, or chosen within a ranged tag);
  // none inside an event loop's handler (ready_only_).
  std::chrono::milliseconds recv_timeout() const {
    return std::chrono::milliseconds(ready_only_ ? 0 : limits_.recv_timeout_ms);
  }
  // The ROUTER's own monitor (owner mode): the connection each message came
  // in on, and whether it is still open.
  socket_monitor& connections() requires(Tr::monitors_connections) { return *monitor_; }
  // A feed (CURVE/PLAIN server PUB or XPUB), before each send: when the ZAP
  // policy or the permissions changed since the last look, the identities
  // its gate let in that are no longer admitted. If there is one, every
  // connection is cut (libzmq does not say which connection holds which
  // key), so all reconnect and are judged again; the event names them:
  // session.revoked (the ZAP policy) or authz.revoked (the permissions).
  void refresh_subscribers() requires Tr::gates_subscribers {
    std::uint64_t const policy = static_cast<zap_handler<D> const*>(zap_.get())->generation();
    std::uint64_t perms = 0;
    if constexpr (Tr::is_authorized) perms = permissions_->generation();
    if (policy == policy_seen_ && perms == permissions_seen_) return;
    policy_seen_ = policy;
    permissions_seen_ = perms;
    auto const revoked = gate_->revoked();
    if (revoked.empty()) return;
    if constexpr (Tr::monitors_connections) monitor_->drain();
    auto const cut = monitor_ ? monitor_->cut_open_connections() : std::size_t(0);
    std::string by_policy, by_permissions;
    for (auto const& r : revoked) {
      std::string& who = r.policy ? by_policy : by_permissions;
      who += (who.empty() ? "" : " ") + r.identity;
    }
    if (!by_policy.empty())
      log_->emit("session.revoked", severity::warning,
                 {{"socket", label()},
                  {"mechanism", M::kind == mechanism_kind::curve ? "CURVE" : "PLAIN"},
                  {"identity", by_policy},
                  {"address", ""},
                  {"connections_cut", std::to_string(cut)}});
    if (!by_permissions.empty())
      log_->emit("authz.revoked", severity::warning,
                 {{"socket", label()},
                  {"action", std::string(to_string(action::subscribe))},
                  {"subject", gate_->subject()},
                  {"identities", by_permissions},
                  {"connections_cut", std::to_string(by_policy.empty() ? cut : 0)}});
  }

 private:
  // The raw handle never leaves zguard: through it, any option (the
  // mechanism, limits, ROUTER_HANDOVER) could be changed. zguard::poll and
  // the proxy reach it through detail::socket_access.
  friend struct socket_access;

  // Which ZAP requests this socket can cause (context::zap_sockets): -1 none.
  static constexpr int zap_kind = !T::carries_mechanism              ? -1
                                  : M::kind == mechanism_kind::null ? 0
                                  : M::role == mechanism_role::server ? int(M::kind)
                                                                      : -1;

  // A bytes buffer (copied by libzmq) or a message (taken by libzmq).
  template <class Frame>
  bool send_logged(Frame& frame, bool more) {
    try {
      auto flags = more ? zmq::send_flags::sndmore : zmq::send_flags::none;
      if (answering_refusal_) flags = flags | zmq::send_flags::dontwait;
      auto r = sock_.send(frame, flags);
      // An answer to a refusal that finds the peer's pipe full is dropped
      // unlogged: the refusal itself was logged, and the peer reads nothing.
      if (!r && !answering_refusal_) log_->emit("send.timeout", severity::warning, {{"socket", label()}});
      return r.has_value();
    } catch (zmq::error_t const& e) {
      if (e.num() != EHOSTUNREACH) throw;
      log_->emit("send.unroutable", severity::warning, {{"socket", label()}});
      return false;
    }
  }

  // A feed's ZAP gate (detail/subscriber_gate.hpp): set before any bind or
  // connect, so no subscriber is let in unrecorded (or, when authorized,
  // unjudged).
  void install_subscriber_gate() requires Tr::gates_subscribers {
    std::string topic;
    permissions const* perms = nullptr;
    if constexpr (Tr::is_authorized) {
      perms = permissions_;
      if constexpr (!is_missing<typename Tr::channel_type>) topic = std::string(Tr::channel_type::name);
    }
    gate_ = std::make_shared<subscriber_gate>(*zap_handler_of(), perms, std::move(topic), *log_, label());
    policy_seen_ = zap_handler_of()->generation();
    gate_name_ = zap_handler_of()->add_gate(
        [gate = gate_](std::string_view mechanism, std::string_view user_id, std::string_view address) {
          return gate->admit(mechanism, user_id, address);
        });
    sock_.set(zmq::sockopt::zap_domain, gate_name_);
  }
  auto zap_handler_of() const { return std::static_pointer_cast<zap_handler<D>>(zap_); }

  // At every bind and connect (G3, G5, G6).
  void check_declared_options() {
    std::string_view const zap_domain = gate_name_.empty() ? std::string_view(D::name) : std::string_view(gate_name_);
    char const* bad = first_changed_option<Tr>(sock_, limits_, zap_domain);
    if (!bad) return;
    log_->emit("socket.tampered", severity::warning, {{"socket", label()}, {"option", bad}});
    throw socket_error("zguard::socket " + label() + ": libzmq's " + bad +
                       " no longer matches the socket's type; refusing to bind or connect");
  }

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

  template <class Ctx>
  static auto& context_of(Ctx& ctx) {
    if constexpr (requires { typename Ctx::domain_type; }) {
      static_assert(std::is_same_v<Ctx, context<D>>,
                    "zguard::socket: the context belongs to another security domain than the "
                    "socket (G10)");
    } else {
      static_assert(dependent_false<Ctx>, "zguard::socket: the first argument must be a zguard::context<D>");
    }
    return ctx;
  }

  event_log* log_;
  // Declared before sock_ so the ZAP handler outlives the socket it guards.
  std::shared_ptr<void> zap_;
  zmq::socket_t sock_;
  std::unique_ptr<socket_monitor> monitor_;
  // authorized: the caller's permissions (outlive the socket, like its authenticator).
  [[no_unique_address]] std::conditional_t<Tr::is_authorized, permissions const*, no_part> permissions_{};
  std::vector<ipc_file> ipc_files_;
  // Set while an event loop runs this socket's handler (socket_access):
  // receives take only what is ready, and a refusal ends the receive, so
  // a flooded socket costs the loop the frames it read, never a wait.
  bool ready_only_ = false;
  // Set while a refusal is answered (refusal_answer): the answer never
  // waits, so a peer that does not read its answers (a ROUTER's blocks
  // under ROUTER_MANDATORY) cannot cost everyone else send_timeout_ms a
  // refused message.
  bool answering_refusal_ = false;
  context<D>* zap_count_ = nullptr;
  // authorized XPUB: its ZAP gate, and the ZAP domain that names it.
  std::shared_ptr<subscriber_gate> gate_;
  std::string gate_name_;
  std::uint64_t policy_seen_ = 0, permissions_seen_ = 0;  // what the gate's revocations were last asked under
  // CURVE/PLAIN server: its sessions held against the ZAP policy of the moment.
  [[no_unique_address]] std::conditional_t<judges_sessions, live_admission, no_part> admission_{
      make_admission()};
  static auto make_admission() {
    if constexpr (judges_sessions) return live_admission(nullptr, "");
    else return no_part{};
  }
  // Declared (fixed tags) or chosen at construction (ranged tags); set
  // once, compared with libzmq at every bind and connect.
  limit_values limits_ = fixed_limits<L>();
};

}  // namespace detail
}  // namespace v0
}  // namespace zguard
