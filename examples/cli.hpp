// A tiny --flag value parser shared by the example programs.
#pragma once

#include <charconv>
#include <csignal>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <map>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

#include <zguard/log_settings.hpp>
#include <zguard/printable.hpp>

namespace example {

struct flag {
  std::string name, help, fallback;
  bool required = false;
};

// SIGINT and SIGTERM ask a long-running program to stop: it polls
// stop_requested() or passes stop_token() to a serve loop.
inline std::stop_source& stopper() {
  static std::stop_source source;
  return source;
}
extern "C" inline void example_on_signal(int) { stopper().request_stop(); }
inline void stop_on_signals() {
  (void)stopper();  // constructed before any signal can arrive
  std::signal(SIGINT, example_on_signal);
  std::signal(SIGTERM, example_on_signal);
}
inline bool stop_requested() { return stopper().stop_requested(); }

// Flags several programs share.
inline flag cert_flag(std::string const& whose) {
  return {"cert", whose + " CURVE certificate (public file; NAME_secret is read too)", "", true};
}
inline flag allow_dir_flag(std::string const& who) {
  return {"allow-dir", "directory of allowed " + who + " public certificates", "", true};
}
inline flag endpoint_file_flag() { return {"endpoint-file", "write the bound endpoint here once listening", "", false}; }
// Where security events go and from which level (zguard/log_settings.hpp).
inline flag log_sink_flag() { return {"log-sink", "where events go: stderr (JSON lines), syslog or none", "stderr", false}; }
inline flag log_level_flag() {
  return {"log-level", "lowest level logged: info, notice (disconnects) or warning", "warning", false};
}

class cli {
 public:
  cli(std::string program, std::string summary, std::vector<flag> flags)
      : program_(std::move(program)), summary_(std::move(summary)), flags_(std::move(flags)) {}

  // Parses argv; prints --help or an error and exits when it must.
  void parse(int argc, char** argv) {
    for (int i = 1; i < argc; ++i) {
      std::string_view a = argv[i];
      if (a == "--help" || a == "-h") {
        usage(std::cout);
        std::exit(0);
      }
      auto const* f = find(a);
      if (!f || i + 1 >= argc) fail(f ? "missing value for " + std::string(a) : "unknown flag " + std::string(a));
      values_[f->name] = argv[++i];
    }
    for (auto const& f : flags_) {
      if (values_.count(f.name)) continue;
      if (f.required) fail("missing --" + f.name);
      values_[f.name] = f.fallback;
    }
  }
  std::string const& get(std::string const& name) const { return values_.at(name); }
  // A number flag in [lo, hi]: decimal digits only (no sign, space or
  // trailing junk); anything else, or a value out of range, stops the
  // program naming the flag, the value and the range.
  long number(std::string const& name, long lo, long hi) const {
    auto const& s = get(name);
    long v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || s[0] == '-' || s[0] == '+' || ec != std::errc() || end != s.data() + s.size() || v < lo ||
        v > hi)
      fail("--" + name + ": '" + zguard::printable(s) + "' is not a number in " + std::to_string(lo) + ".." +
           std::to_string(hi));
    return v;
  }
  // --log-sink and --log-level applied to a context's event log.
  void configure_log(zguard::event_log& log) const {
    try {
      zguard::log_settings::parse(get("log-sink"), get("log-level")).apply(log);
    } catch (zguard::log_settings_error const& e) {
      fail(e.what());
    }
  }
  [[noreturn]] void fail(std::string const& why) const {
    std::cerr << program_ << ": " << why << "\n";
    usage(std::cerr);
    std::exit(2);
  }

 private:
  flag const* find(std::string_view a) const {
    for (auto const& f : flags_)
      if (a == "--" + f.name) return &f;
    return nullptr;
  }
  void usage(std::ostream& os) const {
    os << "usage: " << program_ << " [flags]\n" << summary_ << "\n\nflags:\n";
    for (auto const& f : flags_) {
      os << "  --" << f.name << " VALUE\n      " << f.help;
      if (f.required) os << " (required)";
      else if (!f.fallback.empty()) os << " (default: " << f.fallback << ")";
      os << "\n";
    }
    os << "  --help\n      print this text\n";
  }
  std::string program_, summary_;
  std::vector<flag> flags_;
  std::map<std::string, std::string> values_;
};

}  // namespace example
