// zguard/endpoint.hpp - validated endpoints (G10, G11).
//
// An endpoint is parsed once, checked against its transport, and only then
// handed to libzmq. ipc endpoints are where most local attacks live
// (symlinks, world-writable directories, sockets others can connect to), so
// they get the most checks; binding them is done by zguard::socket so that
// the socket file is never reachable by others (see detail::ipc_bind).
#pragma once

#include <sys/stat.h>
#include <sys/un.h>

#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>

#include <zguard/domain.hpp>
#include <zguard/transport.hpp>

namespace zguard {
inline namespace v0 {

struct endpoint_error : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

namespace detail {
inline std::string_view strip_scheme(std::string_view text, std::string_view scheme) {
  if (text.size() <= scheme.size() + 3 || text.substr(0, scheme.size()) != scheme ||
      text.substr(scheme.size(), 3) != "://")
    throw endpoint_error("zguard: endpoint '" + std::string(text) + "' must start with " +
                         std::string(scheme) + "://");
  return text.substr(scheme.size() + 3);
}

inline void check_tcp_address(std::string_view full, std::string_view rest) {
  auto colon = rest.rfind(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == rest.size())
    throw endpoint_error("zguard: tcp endpoint '" + std::string(full) +
                         "' needs host:port (port may be *)");
  auto port = rest.substr(colon + 1);
  if (port != "*" && port != "!") {
    if (port.size() > 5) throw endpoint_error("zguard: tcp endpoint '" + std::string(full) + "': bad port");
    unsigned value = 0;
    for (char c : port) {
      if (c < '0' || c > '9')
        throw endpoint_error("zguard: tcp endpoint '" + std::string(full) + "': bad port");
      value = value * 10 + unsigned(c - '0');
    }
    if (value == 0 || value > 65535)
      throw endpoint_error("zguard: tcp endpoint '" + std::string(full) + "': port out of range");
  }
  for (char c : rest)
    if (static_cast<unsigned char>(c) <= ' ')
      throw endpoint_error("zguard: tcp endpoint '" + std::string(full) + "' contains whitespace");
}

// ipc path rules (G11): absolute, fits sockaddr_un, no abstract namespace
// (it has no file permissions), the parent is a real directory (no symlink on
// the way) that no other user can write to.
inline void check_ipc_path(std::string_view full, std::string_view path) {
  std::string const p(path);
  if (p.empty() || p[0] != '/')
    throw endpoint_error("zguard: ipc endpoint '" + std::string(full) +
                         "' must be an absolute path (abstract '@' sockets have no permissions)");
  if (p.size() + 1 > sizeof(sockaddr_un{}.sun_path))
    throw endpoint_error("zguard: ipc endpoint '" + std::string(full) + "' is longer than " +
                         std::to_string(sizeof(sockaddr_un{}.sun_path) - 1) + " bytes");
  std::filesystem::path fp(p);
  if (fp.filename().empty() || fp.filename() == "." || fp.filename() == "..")
    throw endpoint_error("zguard: ipc endpoint '" + std::string(full) + "' must name a file");
  auto parent = fp.parent_path();
  std::error_code ec;
  auto canonical = std::filesystem::canonical(parent, ec);
  if (ec)
    throw endpoint_error("zguard: ipc endpoint '" + std::string(full) + "': directory '" +
                         parent.string() + "' does not exist");
  if (canonical != parent.lexically_normal())
    throw endpoint_error("zguard: ipc endpoint '" + std::string(full) + "': directory '" +
                         parent.string() + "' goes through a symlink (resolves to '" +
                         canonical.string() + "')");
  struct stat st {};
  if (::stat(canonical.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    throw endpoint_error("zguard: ipc endpoint '" + std::string(full) + "': '" +
                         parent.string() + "' is not a directory");
  if (st.st_mode & (S_IWGRP | S_IWOTH))
    throw endpoint_error("zguard: ipc endpoint '" + std::string(full) + "': directory '" +
                         parent.string() +
                         "' is group/world-writable; another user could replace the socket");
  struct stat lst {};
  if (::lstat(p.c_str(), &lst) == 0) {
    if (S_ISLNK(lst.st_mode))
      throw endpoint_error("zguard: ipc endpoint '" + std::string(full) + "' is a symlink");
    if (!S_ISSOCK(lst.st_mode))
      throw endpoint_error("zguard: ipc endpoint '" + std::string(full) +
                           "' exists and is not a socket; refusing to replace it");
  }
}
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

// What bind() returns: the endpoint actually bound (with the real port for
// tcp://host:*), typed by everything a peer must agree with, so that
// connect(bound) checks the pair at compile time.
template <class Domain, class Transport, class Pattern, class Mechanism>
struct bound_endpoint {
  std::string address;
};

}  // namespace v0
}  // namespace zguard
