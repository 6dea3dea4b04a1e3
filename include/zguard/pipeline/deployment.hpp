// zguard/pipeline/deployment.hpp - a pipeline spread over hosts
// (docs/deployment.md): the deployment file (deployment_file.hpp) checked
// against the pipeline's types, and what each host gets from it.
//
// The file says where, never how: transport, mechanism, schemas, signing
// and limits stay the pipeline's types, and every line is checked against
// them before anything starts (a tcp link needs a tcp:// address, an ipc
// link cannot cross hosts, every stage is placed once, ...). From it the
// pipeline derives each host's options, the key files each host needs (and
// no other host's secrets), and a systemd unit per stage replica
// (systemd_units.hpp). This header includes both.
#pragma once

#include <filesystem>
#include <set>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <zguard/detail/policy_set.hpp>
#include <zguard/pipeline/deployment_file.hpp>
#include <zguard/pipeline/error.hpp>
#include <zguard/pipeline/flags.hpp>
#include <zguard/pipeline/keys.hpp>
#include <zguard/pipeline/stage_env.hpp>
#include <zguard/pipeline/systemd_units.hpp>
#include <zguard/pipeline/topology.hpp>
#include <zguard/transport.hpp>

namespace zguard {
inline namespace v0 {

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

}  // namespace detail
}  // namespace v0
}  // namespace zguard
