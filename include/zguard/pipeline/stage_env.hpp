// zguard/pipeline/stage_env.hpp - what a running stage gets besides its
// sockets: its name and replica, a stop token, reports to the launcher,
// readiness between stages, and its process's contexts (docs/pipelines.md).
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <stop_token>
#include <string>
#include <string_view>
#include <thread>
#include <typeindex>
#include <utility>

#include <zguard/auth.hpp>
#include <zguard/context.hpp>
#include <zguard/pipeline/error.hpp>
#include <zguard/pipeline/flags.hpp>

namespace zguard {
inline namespace v0 {

// A link's addresses from a deployment file
// (pipeline/deployment_file.hpp): its binder binds `bind`, its connectors
// connect to `connect`.
struct link_addresses {
  std::string bind, connect;
};

// Where a running pipeline finds its keys and meets its other stages.
struct pipeline_options {
  std::filesystem::path keys;        // from pipeline<...>::generate_keys
  std::filesystem::path rendezvous;  // binders write <link>.endpoint here; "{dir}" in addresses
  std::chrono::milliseconds connect_wait{std::chrono::seconds(15)};
  pipeline_flags flags{};            // the program's own flags and their values
  // Set from a deployment file: links with fixed addresses (the others meet
  // through the rendezvous directory), and the stages on other hosts.
  std::map<std::string, link_addresses, std::less<>> addresses{};
  std::set<std::string, std::less<>> elsewhere{};
};

namespace detail {
// What the stages running in one process share: one context per domain
// (inproc links need it) and its one authenticator (libzmq allows one ZAP
// handler per context, so CURVE links of one domain bound in one process
// share an allowlist).
struct process_state {
  std::mutex mu;
  std::map<std::type_index, std::shared_ptr<void>> contexts, authenticators;
};
struct stage_env_access;
}  // namespace detail

// What a stage's run() gets besides its sockets.
class stage_env {
 public:
  stage_env(std::string stage, int replica, std::stop_token stop, pipeline_options options,
            std::function<void(std::string const&, std::uint64_t)> report)
      : stage_(std::move(stage)), replica_(replica), stop_(std::move(stop)), options_(std::move(options)),
        report_(std::move(report)) {}

  std::string const& stage() const { return stage_; }
  int replica() const { return replica_; }
  std::stop_token stop_token() const { return stop_; }
  bool stop_requested() const { return stop_.stop_requested(); }
  // A figure the stage wants the launcher to see ("result stage.replica key value").
  void report(std::string const& key, std::uint64_t value) const { report_(key, value); }
  // Readiness between stages (e.g. subscribers ready before a publisher
  // starts): a file in the rendezvous directory.
  void mark_ready() const {
    std::ofstream(options_.rendezvous / (stage_ + "." + std::to_string(replica_) + ".ready")) << "ready\n";
  }
  // Waits (bounded) until `replicas` replicas of stage `name` marked ready.
  // Ready files are local to a host: for a stage a deployment runs on
  // another host this throws (wait with await_handshakes instead).
  bool await_ready(std::string_view name, int replicas, std::chrono::milliseconds limit) const {
    if (options_.elsewhere.count(name))
      throw pipeline_error("stage " + stage_ + ": await_ready(\"" + std::string(name) +
                           "\"): that stage runs on another host, whose ready files this host cannot see; wait "
                           "for its connections with await_handshakes(socket, n, limit)");
    auto const deadline = std::chrono::steady_clock::now() + limit;
    while (!stop_requested() && std::chrono::steady_clock::now() < deadline) {
      int ready = 0;
      for (int r = 0; r < replicas; ++r)
        ready += std::filesystem::exists(options_.rendezvous / (std::string(name) + "." + std::to_string(r) + ".ready"));
      if (ready == replicas) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  }
  // Waits (bounded) until `peers` handshakes with `socket` have succeeded
  // since it opened (tcp/ipc; a reconnect counts again): readiness that
  // works across hosts, e.g. a PUSH waiting for its workers.
  template <class Socket>
  bool await_handshakes(Socket& socket, std::uint64_t peers, std::chrono::milliseconds limit) const {
    auto const deadline = std::chrono::steady_clock::now() + limit;
    while (!stop_requested() && std::chrono::steady_clock::now() < deadline) {
      if (socket.handshakes_succeeded() >= peers) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  }
  // The program's own flags (pipeline_flags), checked when it started.
  std::uint64_t number(std::string_view flag) const { return options_.flags.number_value(flag); }
  std::string const& text(std::string_view flag) const { return options_.flags.text_value(flag); }

  // The context of domain D in this process (stages in one process share it).
  template <class D>
  context<D>& context_of() const {
    std::lock_guard lock(process_->mu);
    return *static_cast<context<D>*>(process_->contexts.at(std::type_index(typeid(D))).get());
  }
  template <class D>
  authenticator<D>& authenticator_of() const {
    auto& ctx = context_of<D>();
    std::lock_guard lock(process_->mu);
    auto& slot = process_->authenticators[std::type_index(typeid(D))];
    if (!slot) slot = std::make_shared<authenticator<D>>(ctx);
    return *static_cast<authenticator<D>*>(slot.get());
  }

 private:
  friend struct detail::stage_env_access;
  std::string stage_;
  int replica_;
  std::stop_token stop_;
  pipeline_options options_;
  std::function<void(std::string const&, std::uint64_t)> report_;
  detail::process_state* process_ = nullptr;
};

namespace detail {
// The runtime hands a stage_env its process's shared state; stage code cannot.
struct stage_env_access {
  static void attach_process(stage_env& env, process_state& process) { env.process_ = &process; }
};
}  // namespace detail

}  // namespace v0
}  // namespace zguard
