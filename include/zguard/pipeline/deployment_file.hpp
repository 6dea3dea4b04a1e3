// zguard/pipeline/deployment_file.hpp - the deployment file
// (docs/deployment.md): which stage runs on which host, each host's key
// and run directories, and the fixed addresses of the links that cross
// hosts. One line per fact; '#' starts a comment:
//
//   host a keys /etc/zguard/tasks dir /run/zguard-tasks [user zguard]
//   stage ventilator on a
//   link tasks bind tcp://10.0.0.1:5555 [connect tcp://10.0.0.1:5555]
//
// This header reads and parses the file, line by line, with no knowledge
// of the pipeline: checking it against the pipeline's types, and what is
// derived from it, are deployment.hpp and systemd_units.hpp, which build
// on it. Whoever can write the file decides where keys are read and what is
// bound, so a file group or others can write is refused.
#pragma once

#include <filesystem>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <zguard/detail/protected_file.hpp>
#include <zguard/pipeline/error.hpp>
#include <zguard/pipeline/stage_env.hpp>
#include <zguard/pipeline/unit_text.hpp>

namespace zguard {
inline namespace v0 {

struct deployment {
  struct host {
    std::string name;
    std::filesystem::path keys, dir;  // key files of its stages; its rendezvous directory
    std::string user;                 // the systemd units' User= (empty: none)
    int line = 0;
  };
  struct placement {
    std::string stage, host;
    int line = 0;
  };
  struct link_place {
    std::string link;
    link_addresses addresses;
    int line = 0;
  };

  std::string file;  // for error messages
  std::vector<host> hosts;
  std::vector<placement> stages;
  std::vector<link_place> links;

  // Reads a deployment file; refuses one group or others can write.
  static deployment load(std::filesystem::path const& path) {
    return parse(detail::read_protected_file<pipeline_error>(
                     path, "deployment", "whoever can write it decides which keys are read and where stages bind"),
                 std::filesystem::absolute(path).string());
  }

  // Parses the text of a deployment file (name: for error messages).
  static deployment parse(std::string_view text, std::string name) {
    deployment d;
    d.file = std::move(name);
    int number = 0;
    while (!text.empty()) {
      auto const eol = text.find('\n');
      std::string_view line = text.substr(0, eol);
      text = eol == std::string_view::npos ? std::string_view() : text.substr(eol + 1);
      ++number;
      if (auto hash = line.find('#'); hash != std::string_view::npos) line = line.substr(0, hash);
      std::vector<std::string> words;
      std::istringstream split{std::string(line)};
      for (std::string w; split >> w;) words.push_back(w);
      if (words.empty()) continue;
      d.parse_line(words, number);
    }
    return d;
  }

  host const* find_host(std::string_view name) const {
    for (auto const& h : hosts)
      if (h.name == name) return &h;
    return nullptr;
  }
  // The host a stage is placed on (check<Topology> made sure there is one).
  host const& host_of(std::string_view stage) const {
    for (auto const& s : stages)
      if (s.stage == stage) return *find_host(s.host);
    throw pipeline_error("deployment " + file + ": stage " + std::string(stage) + " is placed on no host");
  }
  std::string where(int line) const { return file + ":" + std::to_string(line); }

 private:
  [[noreturn]] void fail(int line, std::string const& what) const {
    throw pipeline_error("deployment " + where(line) + ": " + what);
  }
  // Names: hosts [a-z0-9-] (they name key directories); stages and links
  // as the pipeline spells them, checked against it later.
  void check_name(std::string const& n, bool host_name, int line) const {
    bool ok = !n.empty() && n.size() <= 64;
    for (char c : n)
      ok = ok && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
                  (!host_name && ((c >= 'A' && c <= 'Z') || c == '_' || c == '.')));
    if (!ok)
      fail(line, "'" + n + "' is not a valid " + (host_name ? "host name ([a-z0-9-], 1..64)" : "name"));
  }
  // Values end up in systemd units and command lines: no spaces, quotes,
  // '%', '$', ';' or backslashes, so nothing needs quoting there.
  void check_value(std::string const& v, int line) const {
    bool ok = !v.empty() && v.size() <= 1024;
    for (char c : v) ok = ok && (detail::plain_char(c) || c == '*' || c == '[' || c == ']');
    if (!ok) fail(line, "'" + v + "' holds a character outside [A-Za-z0-9._:/@+=,*[]-]");
  }
  std::filesystem::path absolute_path(std::string const& v, int line) const {
    check_value(v, line);
    std::filesystem::path p(v);
    if (!p.is_absolute() || p.lexically_normal() != p)
      fail(line, "'" + v + "' must be an absolute path without '.' or '..' parts");
    return p;
  }

  void parse_line(std::vector<std::string> const& w, int line) {
    auto const& kind = w[0];
    if (kind == "host") {
      // host NAME keys PATH dir PATH [user NAME]
      if (w.size() != 6 && w.size() != 8) fail(line, "expected: host NAME keys PATH dir PATH [user NAME]");
      host h{w[1], {}, {}, {}, line};
      check_name(h.name, true, line);
      if (find_host(h.name)) fail(line, "host " + h.name + " is declared twice");
      if (w[2] != "keys" || w[4] != "dir" || (w.size() == 8 && w[6] != "user"))
        fail(line, "expected: host NAME keys PATH dir PATH [user NAME]");
      h.keys = absolute_path(w[3], line);
      h.dir = absolute_path(w[5], line);
      if (w.size() == 8) {
        h.user = w[7];
        check_name(h.user, true, line);
      }
      hosts.push_back(std::move(h));
    } else if (kind == "stage") {
      // stage NAME on HOST
      if (w.size() != 4 || w[2] != "on") fail(line, "expected: stage NAME on HOST");
      check_name(w[1], false, line);
      for (auto const& s : stages)
        if (s.stage == w[1]) fail(line, "stage " + w[1] + " is placed twice (first at line " + std::to_string(s.line) + ")");
      if (!find_host(w[3])) fail(line, "host " + w[3] + " is not declared (declare it with a host line first)");
      stages.push_back({w[1], w[3], line});
    } else if (kind == "link") {
      // link NAME bind ENDPOINT [connect ENDPOINT]
      if ((w.size() != 4 && w.size() != 6) || w[2] != "bind" || (w.size() == 6 && w[4] != "connect"))
        fail(line, "expected: link NAME bind ENDPOINT [connect ENDPOINT]");
      check_name(w[1], false, line);
      for (auto const& l : links)
        if (l.link == w[1]) fail(line, "link " + w[1] + " is given twice (first at line " + std::to_string(l.line) + ")");
      check_value(w[3], line);
      link_place l{w[1], {w[3], w.size() == 6 ? w[5] : w[3]}, line};
      check_value(l.addresses.connect, line);
      links.push_back(std::move(l));
    } else {
      fail(line, "unknown line '" + kind + "' (expected host, stage or link)");
    }
  }
};

}  // namespace v0
}  // namespace zguard
