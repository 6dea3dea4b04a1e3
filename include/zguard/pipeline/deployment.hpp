// zguard/pipeline/deployment.hpp - a pipeline spread over hosts
// (docs/deployment.md): which stage runs on which host, each host's key
// and run directories, and the fixed addresses of the links that cross
// hosts. One line per fact; '#' starts a comment:
//
//   host a keys /etc/zguard/tasks dir /run/zguard-tasks [user zguard]
//   stage ventilator on a
//   link tasks bind tcp://10.0.0.1:5555 [connect tcp://10.0.0.1:5555]
//
// The file says where, never how: transport, mechanism, schemas, signing
// and limits stay the pipeline's types, and every line is checked against
// them before anything starts (a tcp link needs a tcp:// address, an ipc
// link cannot cross hosts, every stage is placed once, ...). Whoever can
// write the file decides where keys are read and what is bound, so a file
// group or others can write is refused. From it the pipeline derives each
// host's options, the key files each host needs (and no other host's
// secrets), and a systemd unit per stage replica.
#pragma once

#include <algorithm>
#include <cstddef>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <zguard/detail/policy_set.hpp>
#include <zguard/detail/protected_file.hpp>
#include <zguard/pipeline/error.hpp>
#include <zguard/pipeline/flags.hpp>
#include <zguard/pipeline/keys.hpp>
#include <zguard/pipeline/stage_env.hpp>
#include <zguard/pipeline/topology.hpp>
#include <zguard/pipeline/unit_text.hpp>
#include <zguard/transport.hpp>

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

namespace detail {

// The stages on a link and whether they bind it.
template <class Topology, class L>
std::vector<std::pair<std::string, bool>> stages_on_link() {
  std::vector<std::pair<std::string, bool>> out;
  [&]<class... Es>(type_list<Es...>) {
    auto one = [&]<class E>(E*) {
      if constexpr (std::is_same_v<typename E::link, L>) out.emplace_back(std::string(E::stage::name), E::port::binder);
    };
    (one(static_cast<Es*>(nullptr)), ...);
  }(typename Topology::entries{});
  return out;
}

inline std::string_view scheme_of(std::string_view address) {
  auto const at = address.find("://");
  return at == std::string_view::npos ? std::string_view() : address.substr(0, at);
}

// "tcp://HOST:PORT": the host and port parts ("" when missing).
inline std::pair<std::string, std::string> tcp_host_port(std::string_view address) {
  auto rest = address.substr(6);
  auto const colon = rest.rfind(':');
  if (colon == std::string_view::npos) return {std::string(rest), ""};
  return {std::string(rest.substr(0, colon)), std::string(rest.substr(colon + 1))};
}

// Checks a deployment against the pipeline's types; throws pipeline_error
// naming the file, the line and what is wrong.
template <class Topology, class... Stages>
void check_deployment(deployment const& d) {
  std::set<std::string> names;
  auto place = [&]<class Stage>(Stage*) {
    names.insert(std::string(Stage::name));
    int line = 0;
    for (auto const& s : d.stages)
      if (s.stage == Stage::name) line = s.line;
    if (line == 0)
      throw pipeline_error("deployment " + d.file + ": stage " + std::string(Stage::name) +
                           " is placed on no host (add: stage " + std::string(Stage::name) + " on HOST)");
    if (!Stage::inproc_link.empty())
      throw pipeline_error("deployment " + d.where(line) + ": stage " + std::string(Stage::name) +
                           " uses the inproc link " + std::string(Stage::inproc_link) +
                           ", whose ends must share a process: it cannot be deployed");
  };
  (place(static_cast<Stages*>(nullptr)), ...);
  for (auto const& s : d.stages)
    if (!names.count(s.stage)) {
      std::string known;
      for (auto const& n : names) known += (known.empty() ? "" : ", ") + n;
      throw pipeline_error("deployment " + d.where(s.line) + ": the pipeline has no stage " + s.stage +
                           " (its stages: " + known + ")");
    }

  std::set<std::string> link_names;
  [&]<class... Es>(type_list<Es...>) {
    (link_names.insert(std::string(Es::link::name)), ...);
  }(typename Topology::entries{});
  for (auto const& l : d.links)
    if (!link_names.count(l.link))
      throw pipeline_error("deployment " + d.where(l.line) + ": the pipeline has no link " + l.link);

  std::set<std::string> links_seen;
  [&]<class... Es>(type_list<Es...>) {
    auto one = [&]<class E>(E*) {
      using L = typename E::link;
      using T = typename L::transport_type;
      std::string const name(L::name);
      if (!links_seen.insert(name).second) return;
      std::set<std::string> hosts;
      for (auto const& [stage, binds] : stages_on_link<Topology, L>()) hosts.insert(d.host_of(stage).name);
      deployment::link_place const* given = nullptr;
      for (auto const& l : d.links)
        if (l.link == name) given = &l;
      std::string const across = hosts.size() > 1 ? " joins stages on hosts " + [&] {
        std::string h;
        for (auto const& x : hosts) h += (h.empty() ? "" : " and ") + x;
        return h;
      }() : "";
      if (!given) {
        if (hosts.size() > 1)
          throw pipeline_error("deployment " + d.file + ": link " + name + across +
                               ": give it an address (link " + name + " bind " + std::string(T::scheme) +
                               "://HOST:PORT)");
        return;  // one host: the rendezvous directory, as without a deployment
      }
      std::string const at = "deployment " + d.where(given->line) + ": link " + name;
      for (auto const* a : {&given->addresses.bind, &given->addresses.connect})
        if (scheme_of(*a) != T::scheme)
          throw pipeline_error(at + " is a " + std::string(T::scheme) + " link; '" + *a + "' is not a " +
                               std::string(T::scheme) + ":// address");
      if constexpr (std::is_same_v<T, ipc>) {
        if (hosts.size() > 1)
          throw pipeline_error(at + across + ", but an ipc socket file is local to its host: use a tcp link");
      }
      if constexpr (std::is_same_v<T, tcp>) {
        auto [bind_host, bind_port] = tcp_host_port(given->addresses.bind);
        auto [to_host, to_port] = tcp_host_port(given->addresses.connect);
        auto const port_ok = [](std::string const& p) {
          return !p.empty() && p.size() <= 5 && p.find_first_not_of("0123456789") == std::string::npos &&
                 std::stoul(p) >= 1 && std::stoul(p) <= 65535;
        };
        if (!port_ok(bind_port) || !port_ok(to_port))
          throw pipeline_error(at + ": a deployed tcp link needs a fixed port 1..65535 (its connectors on other "
                                    "hosts cannot read a port chosen at bind time)");
        if (to_host.empty() || to_host == "*" || to_host == "0.0.0.0" || to_host == "[::]")
          throw pipeline_error(at + ": connectors need an address to connect to, not the wildcard '" + to_host +
                               "' (add: connect tcp://HOST:" + to_port + ")");
      }
    };
    (one(static_cast<Es*>(nullptr)), ...);
  }(typename Topology::entries{});
}

// Where each stage runs and each deployed link is bound (--print with a
// deployment), after the topology itself.
inline std::string describe_deployment(deployment const& d) {
  std::string out = "deployment " + d.file + "\n";
  for (auto const& h : d.hosts) {
    out += "  host " + h.name + " (keys " + h.keys.string() + ", dir " + h.dir.string() +
           (h.user.empty() ? "" : ", user " + h.user) + "):";
    for (auto const& s : d.stages)
      if (s.host == h.name) out += " " + s.stage;
    out += "\n";
  }
  for (auto const& l : d.links)
    out += "  link " + l.link + ": bind " + l.addresses.bind + ", connect " + l.addresses.connect + "\n";
  return out;
}

// What a stage on `host` runs with: the host's directories, the addresses
// of the deployed links, and which stages are elsewhere.
inline pipeline_options deployed_options(deployment const& d, std::string_view host, pipeline_flags const& flags) {
  auto const* h = d.find_host(host);
  if (!h) throw pipeline_error("deployment " + d.file + ": no host " + std::string(host));
  pipeline_options o{h->keys, h->dir};
  o.flags = flags;
  for (auto const& l : d.links) o.addresses[l.link] = l.addresses;
  for (auto const& s : d.stages)
    if (s.host != host) o.elsewhere.insert(s.stage);
  return o;
}

// Copies, for every host, the key files its stages read from `all` (the
// output of generate_keys) into out/<host>/ (0700): its own secrets and the
// public keys of its peers, nothing else.
template <class Topology>
void export_host_keys(deployment const& d, std::filesystem::path const& all, std::filesystem::path const& out) {
  namespace fs = std::filesystem;
  for (auto const& h : d.hosts) {
    std::vector<key_file> files;
    [&]<class... Es>(type_list<Es...>) {
      auto one = [&]<class E>(E*) {
        if (d.host_of(E::stage::name).name == h.name) key_files_of<Topology, E>(all, files);
      };
      (one(static_cast<Es*>(nullptr)), ...);
    }(typename Topology::entries{});
    auto const dir = out / h.name;
    // Secrets are written here: never through a link someone put in place.
    if (fs::is_symlink(dir)) throw pipeline_error("key export: " + dir.string() + " is a symbolic link");
    fs::create_directories(dir);
    fs::permissions(dir, fs::perms::owner_all, fs::perm_options::replace);
    auto copy = [&](fs::path const& from, fs::perms mode) {
      auto const to = dir / from.filename();
      fs::remove(to);        // an old file or a link is replaced, never written through
      fs::copy_file(from, to);  // created anew, with the source's mode (0600 for a secret)
      fs::permissions(to, mode, fs::perm_options::replace);
    };
    for (auto const& f : files) {
      if (fs::exists(f.path)) copy(f.path, fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read |
                                               fs::perms::others_read);
      if (f.secret) copy(secret_path_of(f.path), fs::perms::owner_read | fs::perms::owner_write);
    }
  }
}

// One systemd unit per stage replica placed on `host` (all hosts when
// empty), written to out/<program>-<stage>-<replica>.service. The units
// run the program with --deployment and --stage; the hardening lines keep
// a stage to its run directory (written) and key directory (read). Every
// value is checked or quoted by unit_text.hpp before any file is written:
// what systemd runs is exactly `exe` with these arguments.
template <class... Stages>
std::vector<std::filesystem::path> write_systemd_units(deployment const& d, std::string_view host,
                                                       std::filesystem::path const& exe,
                                                       std::filesystem::path const& out,
                                                       std::vector<std::string> const& flag_arguments) {
  namespace fs = std::filesystem;
  if (!host.empty() && !d.find_host(host)) throw pipeline_error("deployment " + d.file + ": no host " + std::string(host));
  std::string const program = unit_name_part("the program's name (of --exe)", exe.filename().string());
  std::string const exec_head = exec_path("--exe", exe.string()) + " --deployment " +
                                exec_argument("the deployment file's path", d.file);
  std::string exec_flags;
  for (auto const& a : flag_arguments) exec_flags += " " + exec_argument("a flag of the program", a);
  std::vector<std::pair<fs::path, std::string>> units;
  auto one = [&]<class Stage>(Stage*) {
    auto const& h = d.host_of(Stage::name);
    if (!host.empty() && h.name != host) return;
    std::string const stage = unit_name_part("a stage's name", std::string(Stage::name));
    std::string const where = "host " + unit_word("a host's name", h.name);
    std::string const run_dir = unit_word(where + "'s run directory", h.dir.string());
    std::string const key_dir = unit_word(where + "'s key directory", h.keys.string());
    for (int r = 0; r < Stage::replicas; ++r) {
      std::string unit = "# Generated by " + program + " --systemd-units from " + d.file + " (" + where +
                         ").\n[Unit]\nDescription=zguard pipeline " + program + ": stage " + stage + ", replica " +
                         std::to_string(r) +
                         "\nWants=network-online.target\nAfter=network-online.target\n\n[Service]\nType=exec\n"
                         "ExecStart=" + exec_head + " --stage " + stage + " --replica " + std::to_string(r) +
                         exec_flags + "\n";
      if (!h.user.empty()) unit += "User=" + unit_word(where + "'s user", h.user) + "\n";
      // A finishing stage exits 0 when done and stays down; a failed one restarts.
      unit += "Restart=on-failure\nRestartSec=2s\nKillSignal=SIGTERM\nTimeoutStopSec=15s\nUMask=0077\n"
              "NoNewPrivileges=yes\nProtectSystem=strict\nProtectHome=yes\nPrivateTmp=yes\nPrivateDevices=yes\n"
              "ReadWritePaths=" + run_dir + "\nReadOnlyPaths=" + key_dir +
              "\n\n[Install]\nWantedBy=multi-user.target\n";
      units.emplace_back(out / (program + "-" + stage + "-" + std::to_string(r) + ".service"), std::move(unit));
    }
  };
  (one(static_cast<Stages*>(nullptr)), ...);
  fs::create_directories(out);
  std::vector<fs::path> written;
  for (auto const& [path, unit] : units) {
    std::ofstream file(path);
    file << unit;
    if (!file.flush()) throw pipeline_error("cannot write " + path.string());
    written.push_back(path);
  }
  return written;
}

}  // namespace detail
}  // namespace v0
}  // namespace zguard
