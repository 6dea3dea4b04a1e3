// zguard/socket/handle.hpp - the libzmq socket a zguard socket owns, made
// from its type: the declared options and mechanism (G3, G5, G6), its
// monitor, the ZAP accounting of its context, a feed's gate, its sessions
// held against the ZAP policy, and the check that libzmq still holds what
// the type declares. socket/frames.hpp moves frames through it,
// socket/core.hpp adds binding, connecting and the audit.
#pragma once

#include <sys/stat.h>
#include <unistd.h>

#include <zmq.hpp>

#include <chrono>
#include <cstddef>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include <zguard/context.hpp>
#include <zguard/detail/ipc_bind.hpp>
#include <zguard/detail/live_admission.hpp>
#include <zguard/detail/monitor.hpp>
#include <zguard/events.hpp>
#include <zguard/pattern.hpp>
#include <zguard/socket/argument_rules.hpp>
#include <zguard/socket/arguments.hpp>
#include <zguard/socket/feed_gate.hpp>
#include <zguard/socket/mechanism.hpp>
#include <zguard/socket/options.hpp>
#include <zguard/socket/profile.hpp>

namespace zguard {
inline namespace v0 {

// A socket whose libzmq options no longer match its type (changed behind
// zguard's back): it refuses to bind or connect.
struct socket_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

namespace detail {
struct socket_access;
template <class Tr>
class socket_frames;
template <class Tr>
class socket_core;

// Tr (socket/traits.hpp) is a protected base: the facets read it, users
// read zguard::traits_of<S>, and none of its names is a socket's member.
template <class Tr>
class socket_handle : protected Tr {
 protected:
  using typename Tr::D;
  using typename Tr::T;
  using typename Tr::P;
  using typename Tr::M;
  using typename Tr::L;
  // A CURVE or PLAIN server holds its sessions against the ZAP policy.
  static constexpr bool judges_sessions = T::carries_mechanism && M::role == mechanism_role::server &&
                                          (M::kind == mechanism_kind::curve || M::kind == mechanism_kind::plain);

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
  explicit socket_handle(Ctx& ctx, Args&&... args) : log_(&context_of(ctx).events()), sock_(ctx.native(), P::zmq_type) {
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
    // Last: nothing after it throws, so the destructor, which removes it, runs.
    context_of(ctx).metrics().add(metered_, metrics_registry::part::socket, label(), meter_, monitor_.get());
  }
  socket_handle(socket_handle const&) = delete;
  socket_handle& operator=(socket_handle const&) = delete;
  ~socket_handle() {
    metered_.reset();  // first: its totals are read from the monitor, reset below
    gate_.reset();  // first: the gate reads the permissions, which need only outlive the socket
    if constexpr (zap_kind >= 0)
      if (zap_count_) zap_count_->count_zap_socket(zap_kind, -1);
    monitor_.reset();
    sock_.close();
    for (auto const& f : ipc_files_) {  // remove our socket files, not someone else's
      struct stat st {};
      if (::lstat(f.path.c_str(), &st) == 0 && st.st_ino == f.inode) ::unlink(f.path.c_str());
    }
  }

  // --- audit (G17) ----------------------------------------------------------
  static std::string profile() { return profile_of<Tr>(); }
  static std::string label() { return label_of<Tr>(); }

 protected:
  // label(), made once per socket type: asked for on every message.
  static std::string const& label_text() {
    static std::string const text = label();
    return text;
  }
  event_log& log() { return *log_; }
  // What this socket counts for its context's metrics (metrics.hpp).
  meter& metrics_meter() { return meter_; }
  zmq::socket_t& zmq_socket() { return sock_; }
  // authorized: the permission set this socket enforces (G18).
  permissions const& enforced_permissions() const requires Tr::is_authorized { return *permissions_; }
  // The values applied: declared, or chosen within ranged tags.
  limit_values const& applied_values() const { return limits_; }
  // The receive timeout applied (declared, or chosen within a ranged tag);
  // none inside an event loop's handler (ready_only_).
  std::chrono::milliseconds recv_timeout() const {
    return std::chrono::milliseconds(ready_only_ ? 0 : limits_.recv_timeout_ms);
  }
  // The ROUTER's own monitor (owner mode): the connection each message came
  // in on, and whether it is still open.
  socket_monitor& connections() requires(Tr::monitors_connections) { return *monitor_; }
  // A server that sends unasked, before each send: cuts every connection
  // when one of the identities it let in is revoked (socket/feed_gate.hpp).
  void refresh_subscribers() requires Tr::gates_subscribers {
    gate_->refresh(
        [&] {
          if constexpr (Tr::monitors_connections) monitor_->drain();
          return monitor_ ? monitor_->cut_open_connections() : std::size_t(0);
        },
        *log_, label_text(), M::kind == mechanism_kind::curve ? "CURVE" : "PLAIN");
  }

 private:
  // The raw handle never leaves zguard: through it, any option (the
  // mechanism, limits, ROUTER_HANDOVER) could be changed. zguard::poll and
  // the proxy reach it through detail::socket_access.
  friend struct socket_access;
  friend class socket_frames<Tr>;
  friend class socket_core<Tr>;

  // Which ZAP requests this socket can cause (context::zap_sockets): -1 none.
  static constexpr int zap_kind = !T::carries_mechanism              ? -1
                                  : M::kind == mechanism_kind::null ? 0
                                  : M::role == mechanism_role::server ? int(M::kind)
                                                                      : -1;

  // Set before any bind or connect (socket/feed_gate.hpp).
  void install_subscriber_gate() requires Tr::gates_subscribers {
    std::string topic;
    permissions const* perms = nullptr;
    if constexpr (Tr::is_authorized) {
      perms = permissions_;
      if constexpr (!is_missing<typename Tr::channel_type>) topic = std::string(Tr::channel_type::name);
    }
    gate_ = std::make_unique<feed_gate<zap_handler<D>>>(*zap_handler_of(), perms, std::move(topic), *log_, label());
    sock_.set(zmq::sockopt::zap_domain, gate_->zap_domain());
  }
  auto zap_handler_of() const { return std::static_pointer_cast<zap_handler<D>>(zap_); }

  // At every bind and connect (G3, G5, G6).
  void check_declared_options() {
    std::string_view const zap_domain = gate_ ? std::string_view(gate_->zap_domain()) : std::string_view(D::name);
    char const* bad = first_changed_option<Tr>(sock_, limits_, zap_domain);
    if (!bad) return;
    log_->emit("socket.tampered", severity::warning, {{"socket", label()}, {"option", bad}});
    throw socket_error("zguard::socket " + label() + ": libzmq's " + bad +
                       " no longer matches the socket's type; refusing to bind or connect");
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
  meter meter_;
  metrics_registry::registration metered_;
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
  context<D>* zap_count_ = nullptr;
  // A server that sends unasked: whom its ZAP gate let in (socket/feed_gate.hpp).
  std::unique_ptr<feed_gate<zap_handler<D>>> gate_;
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
