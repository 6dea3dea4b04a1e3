// zguard/impl/endpoint.ipp - the definitions of zguard/endpoint.hpp that ZGUARD_DECL
// declares: inline in every translation unit, or compiled once with
// ZGUARD_SEPARATE_COMPILATION (zguard/detail/compiled.hpp).
#pragma once

#include <zguard/endpoint.hpp>

namespace zguard {
inline namespace v0 {
namespace detail {

ZGUARD_DECL std::string_view strip_scheme(std::string_view text, std::string_view scheme) {
  if (text.size() <= scheme.size() + 3 || text.substr(0, scheme.size()) != scheme ||
      text.substr(scheme.size(), 3) != "://")
    throw endpoint_error("zguard: endpoint '" + std::string(text) + "' must start with " +
                         std::string(scheme) + "://");
  return text.substr(scheme.size() + 3);
}

ZGUARD_DECL void check_tcp_address(std::string_view full, std::string_view rest) {
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

ZGUARD_DECL void check_ipc_path(std::string_view full, std::string_view path) {
  std::string const p(path);
  auto fail = [&](std::string const& why) -> void {
    throw endpoint_error("zguard: ipc endpoint '" + std::string(full) + "': " + why);
  };
  if (p.empty() || p[0] != '/')
    throw endpoint_error("zguard: ipc endpoint '" + std::string(full) +
                         "' must be an absolute path (abstract '@' sockets have no permissions)");
  if (p.size() + 1 > sizeof(sockaddr_un{}.sun_path))
    throw endpoint_error("zguard: ipc endpoint '" + std::string(full) + "' is longer than " +
                         std::to_string(sizeof(sockaddr_un{}.sun_path) - 1) + " bytes");
  std::filesystem::path fp(p);
  if (fp.filename().empty() || fp.filename() == "." || fp.filename() == "..")
    throw endpoint_error("zguard: ipc endpoint '" + std::string(full) + "' must name a file");
  // Walk from '/' to the socket's directory, never following a link.
  uid_t const me = ::geteuid();
  std::vector<std::string> parts;
  for (std::size_t at = 1; at < p.size();) {
    auto const next = std::min(p.find('/', at), p.size());
    if (next > at) parts.emplace_back(p.substr(at, next - at));
    at = next + 1;
  }
  std::string dir = "/";
  for (std::size_t i = 0; i + 1 <= parts.size(); ++i) {
    bool const is_parent = i + 1 == parts.size();
    struct stat st {};
    if (::lstat(dir.c_str(), &st) != 0) fail("directory '" + dir + "' does not exist");
    if (S_ISLNK(st.st_mode)) fail("'" + dir + "' is a symlink; the path must not go through one");
    if (!S_ISDIR(st.st_mode)) fail("'" + dir + "' is not a directory");
    if (st.st_uid != 0 && st.st_uid != me)
      fail("'" + dir + "' is owned by uid " + std::to_string(st.st_uid) +
           " (neither root nor this user); its owner could replace what is below it");
    if (is_parent && (st.st_mode & (S_IWGRP | S_IWOTH)))
      fail("directory '" + dir + "' is group/world-writable; another user could replace the socket");
    if (!is_parent && (st.st_mode & (S_IWGRP | S_IWOTH)) && !(st.st_mode & S_ISVTX))
      fail("'" + dir + "' is writable by others without the sticky bit; another user could rename "
           "the directories below it away and put their own in their place");
    if (is_parent) break;
    if (parts[i] == "." || parts[i] == "..")
      fail("the path contains '" + parts[i] + "'; give it without '.' and '..'");
    dir += (dir.size() > 1 ? "/" : "") + parts[i];
  }
  struct stat lst {};
  if (::lstat(p.c_str(), &lst) == 0) {
    if (S_ISLNK(lst.st_mode))
      throw endpoint_error("zguard: ipc endpoint '" + std::string(full) + "' is a symlink");
    if (!S_ISSOCK(lst.st_mode))
      throw endpoint_error("zguard: ipc endpoint '" + std::string(full) +
                           "' exists and is not a socket; refusing to replace it");
  }
}

ZGUARD_DECL void check_inproc_name(std::string_view full, std::string_view name) {
  for (std::string_view reserved : {"zeromq.", "zguard.", "zguard-"})
    if (name.substr(0, reserved.size()) == reserved)
      throw endpoint_error("zguard: inproc endpoint '" + std::string(full) + "': names starting with '" +
                           std::string(reserved) + "' are reserved for libzmq and zguard's own sockets");
}
}  // namespace detail
}  // namespace v0
}  // namespace zguard
