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

#include <zguard/detail/compiled.hpp>

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
  explicit syslog_socket(std::string const& path);
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
ZGUARD_DECL event_sink syslog_sink(std::string ident = "zguard", std::string const& path = "/dev/log");

// A sink and a level, named as in a configuration file or on a command line.
struct log_settings {
  enum class sink_kind { stderr_json, syslog, none };
  sink_kind sink = sink_kind::stderr_json;
  severity level = severity::warning;
  std::string syslog_ident = "zguard";
  std::string syslog_path = "/dev/log";

  // sink: "stderr" | "syslog" | "none"; level: "info" | "notice" | "warning".
  static log_settings parse(std::string_view sink, std::string_view level);

  // Points the log at the sink (reaching syslog now, so a missing one is an
  // error at start-up) and sets its level.
  void apply(event_log& log) const;
};

}  // namespace v0
}  // namespace zguard

#if !defined(ZGUARD_SEPARATE_COMPILATION)
#include <zguard/impl/log_settings.ipp>
#endif
