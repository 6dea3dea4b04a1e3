// zguard/socket/core.hpp - what every socket offers, whatever it carries:
// binding and connecting with the endpoint rules (G10, G11), the audit
// (G17), and readiness for an external event loop. Built on the libzmq
// socket it owns (socket/handle.hpp) and its frames (socket/frames.hpp);
// the facets (socket/raw_frames.hpp, socket/typed_messages.hpp) build on it.
#pragma once

#include <zmq.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

#include <zguard/endpoint.hpp>
#include <zguard/socket/frames.hpp>

namespace zguard {
inline namespace v0 {
namespace detail {

template <class Tr>
class socket_core : public socket_frames<Tr> {
  using frames = socket_frames<Tr>;
  using handle = socket_handle<Tr>;

 protected:
  using typename frames::D;
  using typename frames::T;
  using typename frames::P;
  using typename frames::M;
  using typename frames::L;

 public:
  using frames::frames;

  // --- binding and connecting -------------------------------------------

  // What bind() returns: the endpoint, typed by what a peer must agree with.
  static constexpr bound_sealing sealing_declared =
      !Tr::typed ? bound_sealing::undeclared : Tr::is_sealed ? bound_sealing::sealed : bound_sealing::unsealed;
  using bound_type = bound_endpoint<D, T, P, M, sealing_declared>;

  bound_type bind(std::string_view address) requires(!std::is_same_v<T, inproc>) {
    endpoint<T> ep(address);
    return bind(ep);
  }
  template <class E>
    requires(std::is_same_v<E, endpoint<T>> && !std::is_same_v<T, inproc>)
  bound_type bind(E const& ep) {
    using bound = bound_type;
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
  bound_type bind(endpoint<inproc, D2> const& ep) requires std::is_same_v<T, inproc> {
    static_assert(std::is_same_v<D2, D>,
                  "zguard::socket::bind: this inproc endpoint belongs to another security domain (G10)");
    check_declared_options();
    sock_.bind(ep.str());
    return bound_type::from_bind(ep.str());
  }

  void connect(std::string_view address) requires(!std::is_same_v<T, inproc>) {
    endpoint<T> ep(address);
    if constexpr (std::is_same_v<T, tcp>) use_ipv6_for(sock_, ep.address());
    check_declared_options();
    sock_.connect(ep.str());
  }
  // An endpoint made earlier (config::file::endpoint<T>, say): checked again
  // as text now, since an ipc path's directories may have changed since.
  template <class T2>
  void connect(endpoint<T2> const& ep) requires(!std::is_same_v<T, inproc>) {
    static_assert(std::is_same_v<T2, T>, "zguard::socket::connect: the endpoint is of another transport than the socket");
    if constexpr (std::is_same_v<T2, T>) connect(std::string_view(ep.str()));
  }
  template <class D2>
  void connect(endpoint<inproc, D2> const& ep) requires std::is_same_v<T, inproc> {
    static_assert(std::is_same_v<D2, D>,
                  "zguard::socket::connect: this inproc endpoint belongs to another security domain (G10)");
    check_declared_options();
    sock_.connect(ep.str());
  }
  // Connect to an endpoint bound in this program: the pair is checked.
  template <class D2, class T2, class P2, class M2, bound_sealing K2>
  void connect(bound_endpoint<D2, T2, P2, M2, K2> const& ep) {
    static_assert(std::is_same_v<D2, D>,
                  "zguard::socket::connect: the bound endpoint belongs to another security domain (G10)");
    static_assert(std::is_same_v<T2, T>, "zguard::socket::connect: the bound endpoint uses another transport");
    static_assert(compatible_patterns<P, P2>,
                  "zguard::socket::connect: these socket patterns cannot talk to each other "
                  "(e.g. PUSH to SUB); see zguard::compatible_patterns");
    static_assert(compatible_mechanisms<M, M2>,
                  "zguard::socket::connect: the security mechanisms do not match (CURVE client "
                  "<-> CURVE server, PLAIN client <-> PLAIN server, NULL <-> NULL)");
    // Two ends of a channel seal alike; a socket without a channel between
    // them (a device's side) declares nothing and passes sealed frames.
    static_assert(!(Tr::typed && Tr::is_sealed && K2 == bound_sealing::unsealed),
                  "zguard::socket::connect: this socket's channel is sealed<...> and the socket bound at that "
                  "endpoint declares no sealing: it could not open what this one seals; declare sealed<...> at "
                  "both ends (G19)");
    static_assert(!(Tr::typed && !Tr::is_sealed && K2 == bound_sealing::sealed),
                  "zguard::socket::connect: the socket bound at that endpoint is sealed<...> and this one declares "
                  "no sealing: it would refuse what this one sends, and this one could not open what it sends; "
                  "declare sealed<...> at both ends (G19)");
    // Checked again: an ipc path's directories may have been opened to
    // others since bind() (a swapped directory would hold another socket).
    if constexpr (std::is_same_v<T, tcp>) use_ipv6_for(sock_, endpoint<T>(ep.address).address());
    if constexpr (std::is_same_v<T, ipc>) (void)endpoint<T>(ep.address);
    check_declared_options();
    sock_.connect(ep.address);
  }

  // --- audit (G17): profile() and label() are the handle's -----------------
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
  // call(): whether no reply can come since `auth_before` authentication
  // refusals: a peer refused our key (a ZAP denial, not a transient or
  // unexplained failure) and no connection of this socket has a session
  // up, so nothing can carry the request. A REQ with a session to another
  // service, or a peer that only fails its handshake, keeps waiting.
  std::uint64_t auth_refusals() const { return monitor_ ? monitor_->auth_refusals() : 0; }
  bool refused_everywhere_since(std::uint64_t auth_before) const {
    return monitor_ && monitor_->auth_refusals() != auth_before && monitor_->sessions_up() == 0;
  }

 private:
  friend struct socket_access;  // its names below hide the handle's
  using handle::check_declared_options;
  using handle::ipc_files_;
  using handle::limits_;
  using frames::log_;
  using frames::monitor_;
  using frames::sock_;
};

}  // namespace detail
}  // namespace v0
}  // namespace zguard
