// zguard/log_settings.hpp - where events go and from which level, as
// configuration rather than code.
//
//   auto s = zguard::log_settings::parse("syslog", "notice");   // e.g. from flags
//   s.apply(ctx.events());
//
// Sinks: "stderr" (JSON lines, the default), "syslog" (the local syslog
// socket, /dev/log: one datagram per event, the JSON line as its message,
// the event's severity as the syslog priority), "none" (counted only).
// Levels: "info", "notice", "warning" (the default). A bad name, or a
// syslog that cannot be reached, is an error at start-up that says what
// was wrong and what is allowed; it never falls back silently.
#pragma once

#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

#include <zguard/events.hpp>

namespace zguard {
inline namespace v0 {

struct log_settings_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

namespace detail {
// An AF_UNIX datagram socket connected to a syslog socket; closed with the
// last copy of the sink.
class syslog_socket {
 public:
  explicit syslog_socket(std::string const& path) {
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
  syslog_socket(syslog_socket const&) = delete;
  syslog_socket& operator=(syslog_socket const&) = delete;
  ~syslog_socket() { ::close(fd_); }
  // Best effort, like syslog(3): a full or gone syslog loses the line, never blocks the program.
  void send(std::string const& datagram) const { (void)::send(fd_, datagram.data(), datagram.size(), MSG_DONTWAIT); }

 private:
  int fd_ = -1;
};

// syslog(3)'s priority: facility user (1), severity warning 4, notice 5, info 6.
constexpr int syslog_priority(severity s) {
  return 8 + (s == severity::warning ? 4 : s == severity::notice ? 5 : 6);
}
}  // namespace detail

// Events to the local syslog socket, in the format glibc's syslog(3) sends:
// "<PRI>Mmm dd hh:mm:ss ident[pid]: {json}". The ident is printable ASCII
// without spaces (checked), so an event cannot forge the line's prefix; the
// JSON line escapes everything else.
inline event_sink syslog_sink(std::string ident = "zguard", std::string const& path = "/dev/log") {
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

// A sink and a level, named as in a configuration file or on a command line.
struct log_settings {
  enum class sink_kind { stderr_json, syslog, none };
  sink_kind sink = sink_kind::stderr_json;
  severity level = severity::warning;
  std::string syslog_ident = "zguard";
  std::string syslog_path = "/dev/log";

  // sink: "stderr" | "syslog" | "none"; level: "info" | "notice" | "warning".
  static log_settings parse(std::string_view sink, std::string_view level) {
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

  // Points the log at the sink (reaching syslog now, so a missing one is an
  // error at start-up) and sets its level.
  void apply(event_log& log) const {
    switch (sink) {
      case sink_kind::stderr_json: log.set_sink(json_lines_to_stderr()); break;
      case sink_kind::syslog: log.set_sink(syslog_sink(syslog_ident, syslog_path)); break;
      case sink_kind::none: log.set_sink(nullptr); break;
    }
    log.set_level(level);
  }
};

}  // namespace v0
}  // namespace zguard
