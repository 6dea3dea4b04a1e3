// zguard/impl/events.ipp - the definitions of zguard/events.hpp that ZGUARD_DECL
// declares: inline in every translation unit, or compiled once with
// ZGUARD_SEPARATE_COMPILATION (zguard/detail/compiled.hpp).
#pragma once

#include <zguard/events.hpp>
#include <zguard/printable.hpp>

namespace zguard {
inline namespace v0 {
namespace detail {

// The line stays 7-bit: every character outside printable ASCII as \uXXXX
// (a UTF-16 pair past U+FFFF), so it parses back to the text; a byte that is
// not UTF-8 cannot be said in JSON and becomes U+FFFD.
ZGUARD_DECL void append_json_string(std::string& out, std::string_view s) {
  out += '"';
  char32_t cp = 0;
  auto const escape = [&](unsigned unit) {  // a UTF-16 unit: four hex digits
    char buf[16];  // room for any unsigned, so no value can be cut
    std::snprintf(buf, sizeof buf, "\\u%04x", unit & 0xFFFFu);
    out += buf;
  };
  for (std::size_t i = 0, len; i < s.size(); i += len) {
    len = utf8_char(s, i, cp);
    if (len == 0) {
      len = 1;
      cp = 0xfffd;
    }
    switch (cp) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (cp >= 0x20 && cp < 0x7f) {
          out += static_cast<char>(cp);
        } else if (cp < 0x10000) {
          escape(static_cast<unsigned>(cp));
        } else {
          escape(0xd800 + ((static_cast<unsigned>(cp) - 0x10000) >> 10));
          escape(0xdc00 + ((static_cast<unsigned>(cp) - 0x10000) & 0x3ff));
        }
    }
  }
  out += '"';
}
}  // namespace detail

ZGUARD_DECL std::string to_json(security_event const& e) {
  std::string out = "{\"ts_ms\":";
  out += std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count());
  out += ",\"event\":";
  detail::append_json_string(out, e.name);
  out += ",\"level\":";
  detail::append_json_string(out, to_string(e.level));
  for (auto const& [k, v] : e.fields) {
    out += ',';
    detail::append_json_string(out, k);
    out += ':';
    detail::append_json_string(out, v);
  }
  out += '}';
  return out;
}

ZGUARD_DECL event_sink json_lines_to_stderr() {
  return [](security_event const& e) {
    std::string line = to_json(e);
    line += '\n';
    std::fwrite(line.data(), 1, line.size(), stderr);
  };
}

ZGUARD_DECL void event_log::emit(security_event e) {
  std::lock_guard lock(mu_);
  ++counters_[e.name];
  // By series only what a socket emitted (the authenticator's reasons may
  // quote what a peer sent), and only so many series: a peer must not be
  // able to grow this map.
  if (auto const socket = e.field("socket"); !socket.empty()) {
    event_series key{e.name, std::string(socket), std::string(e.field("reason"))};
    auto it = series_.find(key);
    if (it == series_.end() && series_.size() >= max_event_series) key = {e.name, std::string(socket), "(other)"};
    ++series_[std::move(key)];
  }
  if (sink_ && e.level >= level_) sink_(e);
}

ZGUARD_DECL std::uint64_t event_log::count(std::string_view name) const {
  std::lock_guard lock(mu_);
  auto it = counters_.find(std::string(name));
  return it == counters_.end() ? 0 : it->second;
}

ZGUARD_DECL std::map<std::string, std::uint64_t> event_log::counters() const {
  std::lock_guard lock(mu_);
  return counters_;
}
ZGUARD_DECL std::map<event_series, std::uint64_t> event_log::series_counters() const {
  std::lock_guard lock(mu_);
  return series_;
}
}  // namespace v0
}  // namespace zguard
