// zguard/context.hpp - a libzmq context typed by its security domain (G10).
//
// Sockets and the authenticator are made from a context<D> and carry D;
// giving a context of another domain is a compile error. The context owns
// the security event log its parts write to, and runs the version gate.
#pragma once

#include <zmq.hpp>

#include <atomic>
#include <utility>

#include <zguard/domain.hpp>
#include <zguard/events.hpp>
#include <zguard/metrics.hpp>
#include <zguard/version.hpp>

namespace zguard {
inline namespace v0 {

template <class Front, class Back, class... Options>
class proxy;
namespace detail {
template <class Domain>
class zap_handler;
template <class Tr>
class socket_handle;
}  // namespace detail

template <class Domain>
class context {
  static_assert(SecurityDomain<Domain> || false,
                "zguard::context<D>: D must be a security domain, e.g. "
                "using backend = zguard::domain<\"backend\">");

 public:
  using domain_type = Domain;

  explicit context(event_sink sink = json_lines_to_stderr(), int io_threads = 1)
      : gate_((check_runtime(), 0)), log_(std::move(sink)), metrics_(Domain::name, log_), ctx_(io_threads) {
    // Do not let a pending message hold zmq_ctx_term forever; every socket
    // also sets its own bounded linger.
    ctx_.set(zmq::ctxopt::blocky, 0);
  }
  context(context const&) = delete;
  context& operator=(context const&) = delete;
  ~context() {
    // Wake any helper thread (authenticator, monitors) still blocked in this
    // context before terminating it.
    ctx_.shutdown();
  }

  static constexpr std::string_view domain_name() { return Domain::name; }
  event_log& events() { return log_; }
  // What this context's sockets and proxies did, for a scraper (metrics.hpp).
  metrics_registry& metrics() { return metrics_; }

  // Whether an authenticator (ZAP handler) is running in this context.
  bool has_authenticator() const { return zap_owner_.load() != nullptr; }

  // How many live sockets of this context a ZAP request for a mechanism
  // can come from (NULL: any NULL socket; PLAIN/CURVE: servers). The
  // authenticator refuses mechanisms no socket declared, so a socket whose
  // options were changed behind zguard's back is not served.
  // Index: 0 NULL, 1 PLAIN, 2 CURVE (zguard::mechanism_kind).
  int zap_sockets(int kind) const { return kind >= 0 && kind < 3 ? zap_sockets_[kind].load() : 0; }

 private:
  // The raw libzmq context is only for zguard's own parts: a socket made
  // from it directly would have none of zguard's rules.
  zmq::context_t& native() { return ctx_; }
  template <class Tr>
  friend class detail::socket_handle;
  template <class Front, class Back, class... Options>
  friend class proxy;
  friend class detail::zap_handler<Domain>;
  void count_zap_socket(int kind, int delta) { zap_sockets_[kind] += delta; }
  // The authenticator claims the context's single ZAP endpoint (private: a
  // claim by anyone else would keep the real authenticator out).
  bool claim_zap(void const* owner) {
    void const* expected = nullptr;
    return zap_owner_.compare_exchange_strong(expected, owner);
  }
  void release_zap(void const* owner) {
    void const* expected = owner;
    zap_owner_.compare_exchange_strong(expected, nullptr);
  }

  std::atomic<int> zap_sockets_[3] = {0, 0, 0};
  int gate_;
  event_log log_;
  metrics_registry metrics_;
  zmq::context_t ctx_;
  std::atomic<void const*> zap_owner_{nullptr};
};

}  // namespace v0
}  // namespace zguard
