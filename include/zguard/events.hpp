// zguard/events.hpp - the security event log (G15).
//
// Every refusal, handshake failure, disconnect and authenticator decision is
// an event: a stable name plus string fields. Every event is counted by name,
// so tests and operators can read the counters from code; those at or above
// the log's level go to its sink (default: warnings, one JSON object per
// line on stderr). Sinks and levels from configuration: log_settings.hpp.
#pragma once

#include <zguard/detail/compiled.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <compare>
#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace zguard {
inline namespace v0 {

// Severity: routine (info: a handshake that succeeded), worth knowing but
// not a security matter (notice: a peer disconnected), or something an
// operator should look at (warning: a refusal).
enum class severity { info, notice, warning };

constexpr std::string_view to_string(severity s) {
  switch (s) {
    case severity::info: return "info";
    case severity::notice: return "notice";
    case severity::warning: return "warning";
  }
  return "warning";
}

struct security_event {
  std::string name;  // stable, dotted: "zap.deny", "handshake.failed_auth", ...
  severity level = severity::warning;
  std::vector<std::pair<std::string, std::string>> fields;

  // The value of a field, or empty when absent.
  std::string_view field(std::string_view key) const {
    for (auto const& [k, v] : fields)
      if (k == key) return v;
    return {};
  }
};

namespace detail {
ZGUARD_DECL void append_json_string(std::string& out, std::string_view s);
}  // namespace detail

// One JSON object per event, no trailing newline:
// {"ts_ms":1700000000000,"event":"zap.deny","level":"warning",...fields}
ZGUARD_DECL std::string to_json(security_event const& e);

// A sink receives every event; it may be called from several threads (the
// authenticator's and the monitors'), one call at a time.
using event_sink = std::function<void(security_event const&)>;

// Default sink: JSON lines on stderr.
ZGUARD_DECL event_sink json_lines_to_stderr();

// An event's series: its name, the socket that emitted it (its "socket"
// field) and why (its "reason" field, empty where it has none). Events
// without a socket (the authenticator's) are counted by name only.
struct event_series {
  std::string event, socket, reason;
  auto operator<=>(event_series const&) const = default;
};

// Thread-safe log with per-name counters. Every event is counted; those at or
// above level() are passed to the sink (default: warnings only, so the
// default output is the security-relevant part).
class event_log {
 public:
  explicit event_log(event_sink sink = json_lines_to_stderr()) : sink_(std::move(sink)) {}

  void emit(security_event e);
  void emit(std::string name, severity level,
            std::vector<std::pair<std::string, std::string>> fields) {
    emit(security_event{std::move(name), level, std::move(fields)});
  }

  std::uint64_t count(std::string_view name) const;
  std::map<std::string, std::uint64_t> counters() const;
  // The same counts by series (name, socket, reason): what metrics.hpp
  // exposes. A socket label and a reason are texts zguard chose (a type's
  // label, an enum's name), so the series are few.
  std::map<event_series, std::uint64_t> series_counters() const;
  // Past this many series, an event's reason is counted as "(other)".
  static constexpr std::size_t max_event_series = 1024;
  void set_sink(event_sink sink) {
    std::lock_guard lock(mu_);
    sink_ = std::move(sink);
  }
  // Events below `lowest` are counted but not passed to the sink.
  void set_level(severity lowest) {
    std::lock_guard lock(mu_);
    level_ = lowest;
  }
  severity level() const {
    std::lock_guard lock(mu_);
    return level_;
  }
  void set_verbose(bool v) { set_level(v ? severity::info : severity::warning); }

 private:
  mutable std::mutex mu_;
  event_sink sink_;
  severity level_ = severity::warning;
  std::map<std::string, std::uint64_t> counters_;
  std::map<event_series, std::uint64_t> series_;
};

}  // namespace v0
}  // namespace zguard

#if !defined(ZGUARD_SEPARATE_COMPILATION)
#include <zguard/impl/events.ipp>
#endif
