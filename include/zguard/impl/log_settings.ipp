// zguard/impl/log_settings.ipp - the definitions of zguard/log_settings.hpp that ZGUARD_DECL
// declares: inline in every translation unit, or compiled once with
// ZGUARD_SEPARATE_COMPILATION (zguard/detail/compiled.hpp).
#pragma once

#include <zguard/log_settings.hpp>

namespace zguard {
inline namespace v0 {

ZGUARD_DECL event_sink syslog_sink(std::string ident, std::string const& path) {
  if (ident.empty() || ident.size() > 48)
    throw log_settings_error("zguard log: syslog ident must be 1..48 characters");
  for (unsigned char c : ident)
    if (c <= 0x20 || c >= 0x7f || c == '[' || c == ':')
      throw log_settings_error("zguard log: syslog ident '" + ident + "' must be printable ASCII without spaces, '[' or ':'");
  auto sock = std::make_shared<detail::syslog_socket>(path);
  return [sock, ident = std::move(ident)](security_event const& e) {
    std::time_t const now = std::time(nullptr);
    std::tm local{};
    ::localtime_r(&now, &local);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%b %e %T", &local);
    std::string line = "<" + std::to_string(detail::syslog_priority(e.level)) + ">" + stamp + " " + ident + "[" +
                       std::to_string(::getpid()) + "]: " + to_json(e);
    sock->send(line);
  };
}

namespace detail {

ZGUARD_DECL syslog_socket::syslog_socket(std::string const& path) {
  sockaddr_un addr{};
  if (path.empty() || path.size() >= sizeof addr.sun_path)
    throw log_settings_error("zguard log: syslog socket path '" + path + "' is empty or too long");
  fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) throw log_settings_error(std::string("zguard log: cannot make a syslog socket: ") + std::strerror(errno));
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.data(), path.size());
  if (::connect(fd_, reinterpret_cast<sockaddr const*>(&addr), sizeof addr) != 0) {
    int const e = errno;
    ::close(fd_);
    throw log_settings_error("zguard log: cannot reach syslog at " + path + ": " + std::strerror(e) +
                             " (choose another sink: stderr or none)");
  }
}
}  // namespace detail

ZGUARD_DECL log_settings log_settings::parse(std::string_view sink, std::string_view level) {
  log_settings s;
  if (sink == "stderr") s.sink = sink_kind::stderr_json;
  else if (sink == "syslog") s.sink = sink_kind::syslog;
  else if (sink == "none") s.sink = sink_kind::none;
  else throw log_settings_error("zguard log: sink '" + std::string(sink) + "' is not one of stderr, syslog, none");
  if (level == "info") s.level = severity::info;
  else if (level == "notice") s.level = severity::notice;
  else if (level == "warning") s.level = severity::warning;
  else throw log_settings_error("zguard log: level '" + std::string(level) + "' is not one of info, notice, warning");
  return s;
}

ZGUARD_DECL void log_settings::apply(event_log& log) const {
  switch (sink) {
    case sink_kind::stderr_json: log.set_sink(json_lines_to_stderr()); break;
    case sink_kind::syslog: log.set_sink(syslog_sink(syslog_ident, syslog_path)); break;
    case sink_kind::none: log.set_sink(nullptr); break;
  }
  log.set_level(level);
}
}  // namespace v0
}  // namespace zguard
