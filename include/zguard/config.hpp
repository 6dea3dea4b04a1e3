// zguard/config.hpp - numbers and places from a TOML configuration file
// (optional: needs toml++; zguard.hpp does not include it).
//
// Security-shaping choices stay types (transport, pattern, mechanism,
// schema, signing, which limits exist). A file may give the values of a
// socket's ranged limit tags (send_hwm_in<Lo, Hi>, ...; limits.hpp), within
// the ranges the type declares, plus endpoints, paths, texts and numbers the
// program asks for with bounds. Every value is checked when it is read, at
// start-up; a problem is one config_error naming file:line, the key and,
// for numbers, the allowed range (docs/configuration.md).
#pragma once

#include <toml++/toml.h>

#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include <zguard/detail/protected_file.hpp>
#include <zguard/endpoint.hpp>
#include <zguard/limits.hpp>
#include <zguard/printable.hpp>
#include <zguard/socket/traits.hpp>
#include <zguard/transport.hpp>

namespace zguard {
inline namespace v0 {

// A configuration file that cannot be read, does not parse, or holds a key
// that is missing, unknown, of the wrong type or out of range.
struct config_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

namespace config {

class file {
 public:
  // Reads and parses a TOML file; a syntax error names file:line:column.
  // The file names the certificate and allowlist a program reads and where
  // it binds, so it gets the checks of a permission file: a regular file
  // (not a symlink) owned by this user or root that neither group nor
  // others can write, in a directory they cannot write unless sticky.
  static file load(std::filesystem::path const& path) {
    file f;
    f.path_ = path;
    f.name_ = path.string();
    std::string const text = detail::read_protected_file<config_error>(
        path, "zguard config", "whoever can write it chooses the program's keys, allowlist and endpoints");
#if TOML_EXCEPTIONS
    try {
      f.root_ = toml::parse(text, f.name_);
    } catch (toml::parse_error const& e) {
      throw config_error(f.where(e.source()) + ": " + printable(e.description()));
    }
#else
    auto parsed = toml::parse(text, f.name_);
    if (!parsed) throw config_error(f.where(parsed.error().source()) + ": " + printable(parsed.error().description()));
    f.root_ = std::move(parsed).table();
#endif
    return f;
  }

  std::string const& name() const { return name_; }

  // The values of Socket's ranged limit tags from the table at `table`
  // (dotted, e.g. "service.socket"): exactly the keys those tags name
  // (send_hwm, recv_hwm, linger_ms, send_timeout_ms, recv_timeout_ms,
  // rate_per_second and rate_burst). A
  // missing key, a value outside [Lo, Hi], or any other key is an error.
  template <class Socket>
  runtime_limits limits_for(std::string_view table) const {
    using L = typename traits_of<Socket>::limits_type;
    static_assert(L::has_ranged,
                  "zguard::config::limits_for<Socket>: the socket's limits are all fixed by its type, so it takes "
                  "no runtime_limits; declare a ranged tag (e.g. send_hwm_in<Lo, Hi>) to read a value");
    return read_limits(table, detail::slot_rules_of<L>);
  }

  // An endpoint checked by endpoint<T>'s rules (endpoint.hpp).
  template <Transport T>
  zguard::endpoint<T> endpoint(std::string_view key) const {
    static_assert(!std::is_same_v<T, inproc>,
                  "zguard::config::file::endpoint: an inproc endpoint belongs to a security domain in the "
                  "program; it is not read from a file");
    auto const& [node, value] = string_at(key);
    try {
      return zguard::endpoint<T>(value);
    } catch (endpoint_error const& e) {
      throw config_error(where(node->source()) + ": " + std::string(key) + ": " + e.what());
    }
  }

  // A file or directory path, not empty; a relative path is taken from the
  // configuration file's directory, so the program may run from anywhere.
  std::filesystem::path path(std::string_view key) const {
    auto const& [node, value] = string_at(key);
    if (value.empty()) throw config_error(where(node->source()) + ": " + std::string(key) + " is an empty path");
    std::filesystem::path p(value);
    return p.is_absolute() ? p : path_.parent_path() / p;
  }

  // A string of at most max_bytes bytes that shows as it is: no control
  // character (C0, DEL, C1), bidi control or line separator
  // (first_unprintable, printable.hpp).
  std::string text(std::string_view key, std::size_t max_bytes) const {
    auto const& [node, value] = string_at(key);
    if (value.size() > max_bytes)
      throw config_error(where(node->source()) + ": " + std::string(key) + " is " + std::to_string(value.size()) +
                         " bytes; at most " + std::to_string(max_bytes) + " allowed");
    if (auto bad = first_unprintable(value))
      throw config_error(where(node->source()) + ": " + std::string(key) + " contains " + bad->what(true));
    return value;
  }

  // An integer in [lo, hi].
  std::int64_t number(std::string_view key, std::int64_t lo, std::int64_t hi) const {
    toml::node const& node = node_at(key);
    auto const* v = node.as_integer();
    std::string const range = std::to_string(lo) + ".." + std::to_string(hi);
    if (!v) throw config_error(where(node.source()) + ": " + std::string(key) + " must be an integer in " + range);
    if (v->get() < lo || v->get() > hi)
      throw config_error(where(node.source()) + ": " + std::string(key) + "=" + std::to_string(v->get()) +
                         " is out of range " + range);
    return v->get();
  }
  // The same, or `fallback` when the key is absent.
  std::int64_t number(std::string_view key, std::int64_t lo, std::int64_t hi, std::int64_t fallback) const {
    return contains(key) ? number(key, lo, hi) : fallback;
  }

  bool contains(std::string_view key) const { return root_.at_path(key).node() != nullptr; }

  // Every key of the table at `table` must be one of `allowed`: a typo is
  // an error, not a silently ignored setting.
  void expect_only(std::string_view table, std::initializer_list<std::string_view> allowed) const {
    toml::table const& t = table.empty() ? root_ : table_at(table);
    auto const bad = first_unknown(t, [&](std::string_view key) {
      for (auto a : allowed)
        if (key == a) return true;
      return false;
    });
    if (!bad) return;
    std::string list;
    for (auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
    throw config_error(where(bad->second) + ": " + (table.empty() ? "" : std::string(table) + ".") +
                       printable(bad->first) + " is not a known key (expected " + list + ")");
  }

 private:
  file() = default;

  // The unknown key that comes first in the file (a table iterates by
  // name), with where it is.
  template <class Known>
  static std::optional<std::pair<std::string, toml::source_region>> first_unknown(toml::table const& t, Known known) {
    std::optional<std::pair<std::string, toml::source_region>> first;
    for (auto const& [key, node] : t)
      if (!known(key.str()) && (!first || node.source().begin.line < first->second.begin.line))
        first.emplace(std::string(key.str()), node.source());
    return first;
  }
  // limits_for, once for every socket type: the ranged slots among `rules`.
  runtime_limits read_limits(std::string_view table, detail::slot_rule_set const& rules) const {
    toml::table const& t = table_at(table);
    std::string keys;  // the keys this socket type reads, for the unknown-key sentence
    for (auto const& r : rules)
      if (r.ranged) keys += (keys.empty() ? "" : ", ") + std::string(r.key);
    if (auto const bad = first_unknown(t, [&](std::string_view key) {
          for (auto const& r : rules)
            if (r.ranged && key == r.key) return true;
          return false;
        }))
      throw config_error(where(bad->second) + ": " + std::string(table) + "." + printable(bad->first) +
                         " is not a setting of this socket type (it reads " + keys + ")");
    runtime_limits out;
    out.source = name_ + " [" + std::string(table) + "]";
    for (auto const& r : rules) {
      if (!r.ranged) continue;
      std::string const full = std::string(table) + "." + std::string(r.key);
      toml::node const* node = t.get(r.key);
      if (!node) throw config_error(name_ + ": " + detail::runtime_value_problem(full, std::nullopt, r));
      auto const* v = node->as_integer();
      if (!v)
        throw config_error(where(node->source()) + ": " + full + " must be an integer in " + detail::range_text(r));
      std::string const problem = detail::runtime_value_problem(full, v->get(), r);
      if (!problem.empty()) throw config_error(where(node->source()) + ": " + problem);
      out.*r.chosen = v->get();
    }
    return out;
  }
  std::string where(toml::source_region const& r) const {
    if (r.begin.line == 0) return name_;
    return name_ + ":" + std::to_string(r.begin.line) + ":" + std::to_string(r.begin.column);
  }
  toml::node const& node_at(std::string_view key) const {
    toml::node const* n = root_.at_path(key).node();
    if (!n) throw config_error(name_ + ": " + std::string(key) + " is missing");
    return *n;
  }
  toml::table const& table_at(std::string_view key) const {
    toml::node const& n = node_at(key);
    if (!n.is_table()) throw config_error(where(n.source()) + ": " + std::string(key) + " must be a table");
    return *n.as_table();
  }
  std::pair<toml::node const*, std::string> string_at(std::string_view key) const {
    toml::node const& n = node_at(key);
    auto const* s = n.as_string();
    if (!s) throw config_error(where(n.source()) + ": " + std::string(key) + " must be a string");
    return {&n, s->get()};
  }

  std::filesystem::path path_;
  std::string name_;
  toml::table root_;
};

// zguard::config::load("service.toml").
inline file load(std::filesystem::path const& path) { return file::load(path); }

}  // namespace config
}  // namespace v0
}  // namespace zguard
