// zguard/endpoint.hpp - validated endpoints (G10, G11).
//
// An endpoint is parsed once, checked against its transport, and only then
// handed to libzmq. ipc endpoints are where most local attacks live
// (symlinks, world-writable directories, sockets others can connect to), so
// they get the most checks; binding them is done by zguard::socket so that
// the socket file is never reachable by others (see detail::ipc_bind).
#pragma once

#include <zguard/detail/compiled.hpp>

#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <vector>

#include <zguard/detail/policy_set.hpp>
#include <zguard/domain.hpp>
#include <zguard/transport.hpp>

namespace zguard {
inline namespace v0 {

struct endpoint_error : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

namespace detail {
ZGUARD_DECL std::string_view strip_scheme(std::string_view text, std::string_view scheme);

ZGUARD_DECL void check_tcp_address(std::string_view full, std::string_view rest);

// ipc path rules (G11): absolute, fits sockaddr_un, no abstract namespace
// (it has no file permissions), no "." or ".." and no symlink anywhere on the
// way. As OpenSSH's safe_path, every directory from '/' down is owned by root
// or this user, and no other user can rename entries in it: one writable by
// others needs the sticky bit (as /tmp), else a local user could rename our
// private directory away and put their own in its place. The socket's own
// directory must not be writable by others at all (sticky or not, another
// user could own a name there).
ZGUARD_DECL void check_ipc_path(std::string_view full, std::string_view path);

// inproc names that libzmq (the ZAP handler at zeromq.zap.01) and zguard
// (socket monitors, proxy control) bind inside a context: a socket there
// could pose as the ZAP handler or read another socket's events.
ZGUARD_DECL void check_inproc_name(std::string_view full, std::string_view name);
}  // namespace detail

// An endpoint of transport T. inproc endpoints also carry the security domain
// whose context they live in: endpoint<inproc, D>.
template <Transport T, class Domain = void>
class endpoint {
  static_assert(!std::is_same_v<T, inproc> || !std::is_void_v<Domain>,
                "zguard::endpoint<inproc, D>: an inproc endpoint must name its security "
                "domain D (G10)");
  static_assert(std::is_same_v<T, inproc> || std::is_void_v<Domain>,
                "zguard::endpoint<T, D>: only inproc endpoints carry a domain");

 public:
  using transport_type = T;
  using domain_type = Domain;

  // Parses and validates; throws endpoint_error naming the problem.
  // ipc_mode is the socket file's mode after bind (ipc only): owner and group
  // bits only, default 0600.
  explicit endpoint(std::string_view text, unsigned ipc_mode = 0600)
      : text_(text), ipc_mode_(ipc_mode) {
    // libzmq and the file system read these as C strings: a NUL would make
    // the checked text and the bound address differ ("/run/a/s\0x" checks
    // the file "s\0x" and binds "/run/a/s"); other control bytes only
    // hide what an endpoint is in logs.
    for (std::size_t i = 0; i < text.size(); ++i)
      if (static_cast<unsigned char>(text[i]) < 0x20 || text[i] == 0x7f)
        throw endpoint_error("zguard: endpoint has a control character at byte " + std::to_string(i));
    auto rest = detail::strip_scheme(text, T::scheme);
    if constexpr (std::is_same_v<T, tcp>) {
      detail::check_tcp_address(text, rest);
    } else if constexpr (std::is_same_v<T, ipc>) {
      if (ipc_mode & 0007)
        throw endpoint_error("zguard: ipc socket mode must not give access to others");
      if ((ipc_mode & 0600) != 0600)
        throw endpoint_error("zguard: ipc socket mode must let the owner read and write");
      detail::check_ipc_path(text, rest);
    } else if constexpr (std::is_same_v<T, inproc>) {
      if (rest.size() > 256) throw endpoint_error("zguard: inproc name longer than 256 bytes");
      detail::check_inproc_name(text, rest);
    } else {  // pgm / epgm: interface;multicast-group:port
      if (rest.find(';') == std::string_view::npos || rest.rfind(':') == std::string_view::npos)
        throw endpoint_error("zguard: " + std::string(T::scheme) + " endpoint '" +
                             std::string(text) + "' needs interface;group:port");
    }
  }

  std::string const& str() const { return text_; }
  // The part after "scheme://": the file path for ipc.
  std::string_view address() const {
    return std::string_view(text_).substr(T::scheme.size() + 3);
  }
  unsigned ipc_mode() const { return ipc_mode_; }

 private:
  std::string text_;
  unsigned ipc_mode_;
};

namespace detail {
template <class Tr>
class socket_core;
}  // namespace detail

// What the socket bound at an endpoint declares of sealing (G19): nothing
// (a socket without a channel, such as a device's side, which passes
// sealed frames as they are; or a bound_endpoint type written out without
// it), a channel unsealed, or a sealed<...> channel.
enum class bound_sealing { undeclared, unsealed, sealed };

// What bind() returns: the endpoint actually bound (with the real port for
// tcp://host:*), typed by everything a peer must agree with, so that
// connect(bound) checks the pair at compile time. It vouches that zguard
// checked and bound this address, so only socket::bind() makes one and its
// address cannot be changed (connect(bound) trusts it).
template <class Domain, class Transport, class Pattern, class Mechanism,
          bound_sealing Sealing = bound_sealing::undeclared>
class bound_endpoint {
  struct made_by_bind {
    explicit made_by_bind() = default;
  };

 public:
  template <class... Args>
    requires(!(sizeof...(Args) == 1 && (std::is_same_v<std::remove_cvref_t<Args>, bound_endpoint> && ...)))
  explicit bound_endpoint(Args&&...) {  // NOLINT: exists only to explain why it cannot be used
    static_assert(detail::dependent_false<void(Args...)>,
                  "zguard::bound_endpoint: only socket::bind() makes one; it vouches that the "
                  "address was checked and bound by zguard. Connect to an address from elsewhere "
                  "with connect(\"scheme://...\"), which checks it (G10, G11)");
  }
  bound_endpoint(bound_endpoint const&) = default;
  bound_endpoint& operator=(bound_endpoint const&) {  // NOLINT: exists only to explain why it cannot be used
    static_assert(detail::dependent_false<Domain>,
                  "zguard::bound_endpoint: cannot be assigned; the address bind() returned never changes");
    return *this;
  }

  std::string const address;

 private:
  template <class Tr>
  friend class detail::socket_core;
  bound_endpoint(made_by_bind, std::string a) : address(std::move(a)) {}
  static bound_endpoint from_bind(std::string a) { return bound_endpoint(made_by_bind{}, std::move(a)); }
};

}  // namespace v0
}  // namespace zguard

#if !defined(ZGUARD_SEPARATE_COMPILATION)
#include <zguard/impl/endpoint.ipp>
#endif
