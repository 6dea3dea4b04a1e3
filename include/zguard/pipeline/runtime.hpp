// zguard/pipeline/runtime.hpp - running the stages of a checked topology
// (docs/pipelines.md, "Running"): one context per domain per process, each
// port's socket constructed with its keys, bound or connected through the
// rendezvous directory, then the stage's run() (or a relay stage's proxy).
// run_all runs every replica in threads; run_one one replica in this
// process.
#pragma once

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>
#include <stop_token>
#include <string>
#include <string_view>
#include <thread>
#include <tuple>
#include <type_traits>
#include <typeindex>
#include <utility>
#include <vector>

#include <zguard/context.hpp>
#include <zguard/detail/policy_set.hpp>
#include <zguard/detail/protected_file.hpp>
#include <zguard/endpoint.hpp>
#include <zguard/link.hpp>
#include <zguard/pipeline/keys.hpp>
#include <zguard/pipeline/stage_env.hpp>
#include <zguard/pipeline/topology.hpp>
#include <zguard/proxy.hpp>
#include <zguard/transport.hpp>

namespace zguard {
inline namespace v0 {
namespace detail {

// The runtime of pipeline<Stages...>.
template <class... Stages>
struct runtime {
  using Topology = topology<Stages...>;

  // inproc needs one context, so both ends in one process: a stage on an
  // inproc link run alone would wait for a peer that can never arrive.
  template <class Stage>
  static void refuse_inproc() {
    if (!Stage::inproc_link.empty())
      throw pipeline_error("zguard::pipeline: stage " + std::string(Stage::name) + " uses the inproc link " +
                           std::string(Stage::inproc_link) +
                           ", whose ends must share a process: run the pipeline with --all");
  }

  static void make_contexts(process_state& process) {
    auto& contexts = process.contexts;
    [&]<class... Es>(type_list<Es...>) {
      auto one = [&]<class D>(D*) {
        auto& slot = contexts[std::type_index(typeid(D))];
        if (!slot) slot = std::make_shared<context<D>>();
      };
      (one(static_cast<typename traits_of<typename Es::socket>::domain_type*>(nullptr)), ...);
    }(typename Topology::entries{});
  }

  // Port E's socket, with the keys keys.hpp says it holds.
  template <class E>
  static std::unique_ptr<typename E::socket> make_socket(stage_env& env, pipeline_options const& o) {
    using S = typename E::socket;
    using D = typename traits_of<S>::domain_type;
    using M = typename traits_of<S>::mechanism_type;
    auto& ctx = env.context_of<D>();
    if constexpr (M::kind == mechanism_kind::curve || traits_of<S>::is_signed || traits_of<S>::is_sealed)
      check_key_directory(o);
    // The signing arguments, then the sealing one: the order the socket takes them in.
    auto sig = std::tuple_cat(signing_arguments<Topology, E>(o), sealing_arguments<Topology, E>(o));
    if constexpr (M::kind == mechanism_kind::curve && M::role == mechanism_role::server) {
      auto& auth = env.authenticator_of<D>();
      allow_clients<Topology, E>(auth, o);
      auto keys = load_keypair_certificate(server_cert(o.keys, E::link::name));
      return std::apply([&](auto&... s) { return std::make_unique<S>(ctx, auth, keys, s...); }, sig);
    } else if constexpr (M::kind == mechanism_kind::curve) {
      auto keys = load_keypair_certificate(client_cert(o.keys, E::stage::name));
      auto server = load_trusted_certificate(server_cert(o.keys, E::link::name)).key;
      return std::apply([&](auto&... s) { return std::make_unique<S>(ctx, keys, server, s...); }, sig);
    } else {
      return std::apply([&](auto&... s) { return std::make_unique<S>(ctx, s...); }, sig);
    }
  }

  static std::string resolve(std::string_view address, pipeline_options const& o) {
    std::string a(address);
    if (auto at = a.find("{dir}"); at != std::string::npos) a.replace(at, 5, o.rendezvous.string());
    return a;
  }

  // A link a deployment gave fixed addresses: the binder binds its address,
  // connectors connect to theirs (libzmq retries until the binder is up).
  // Otherwise, rendezvous: a binder writes its bound address to
  // <link>.endpoint (atomically); a connector waits for it, bounded by
  // connect_wait. Whoever could write the directory or that file would
  // choose where the connector goes (on a link without CURVE nothing else
  // would notice), so both are checked like the key directory and its
  // public key files.
  template <class E>
  static void attach(typename E::socket& s, pipeline_options const& o, stage_env const& env) {
    using L = typename E::link;
    using T = typename L::transport_type;
    if constexpr (!std::is_same_v<T, inproc>) {
      if (auto it = o.addresses.find(L::name); it != o.addresses.end()) {
        if constexpr (E::port::binder) (void)s.bind(it->second.bind);
        else s.connect(it->second.connect);
        return;
      }
    }
    auto const file = o.rendezvous / (std::string(L::name) + ".endpoint");
    check_trusted_directory(o.rendezvous, "pipeline rendezvous directory",
                            "point a link's connectors at an address of their choosing");
    if constexpr (E::port::binder) {
      std::string bound;
      if constexpr (std::is_same_v<T, inproc>) {
        bound = resolve(L::address, o);
        s.bind(endpoint<inproc, typename L::domain_type>(bound));
      } else {
        bound = s.bind(resolve(L::address, o)).address;
      }
      auto const tmp = file.string() + ".tmp" + std::to_string(::getpid()) + "." + env.stage();
      write_file(tmp, bound + "\n", 0644);  // this mode whatever the umask: connectors check it
      std::filesystem::rename(tmp, file);     // connectors never read half a line
    } else {
      auto const deadline = std::chrono::steady_clock::now() + o.connect_wait;
      std::string address;
      while (address.empty()) {
        if (std::filesystem::symlink_status(file).type() != std::filesystem::file_type::not_found)
          std::istringstream(read_protected_file<pipeline_error>(
              file, "stage " + env.stage() + ": the endpoint file of link " + std::string(L::name),
              "whoever can change it can point this stage at an address of their choosing")) >>
              address;
        if (!address.empty()) break;
        if (env.stop_requested())
          throw pipeline_error("stage " + env.stage() + ": stopped while waiting for link " + std::string(L::name) +
                               " to be bound (" + file.string() + ")");
        if (std::chrono::steady_clock::now() > deadline)
          throw pipeline_error("stage " + env.stage() + ": link " + std::string(L::name) + " was not bound in time (" +
                               file.string() + ")");
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
      if constexpr (std::is_same_v<T, inproc>) s.connect(endpoint<inproc, typename L::domain_type>(address));
      else s.connect(address);
    }
  }

  template <class Stage, class... Es>
  static void run_with(type_list<Es...>, stage_env& env, pipeline_options const& o) {
    auto sockets = std::make_tuple(make_socket<Es>(env, o)...);
    if constexpr (is_relay_stage<Stage>) {
      [&]<std::size_t... I>(std::index_sequence<I...>) { (attach<Es>(*std::get<I>(sockets), o, env), ...); }(
          std::index_sequence_for<Es...>{});
      auto& front = *std::get<0>(sockets);
      auto& back = *std::get<1>(sockets);
      using F = std::remove_reference_t<decltype(front)>;
      using B = std::remove_reference_t<decltype(back)>;
      {
        proxy<F, B> relay(env.context_of<typename traits_of<F>::domain_type>(), front, back);
        while (!env.stop_requested()) std::this_thread::sleep_for(std::chrono::milliseconds(10));
        relay.terminate();
      }
      env.report("rate_limited", front.events().count("rate.limited"));
      env.report("identity_mismatches", front.events().count("router.identity_mismatch"));
      return;
    } else
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      (attach<Es>(*std::get<I>(sockets), o, env), ...);
      static_assert(requires { Stage::run(env, *std::get<I>(sockets)...); },
                    "zguard::pipeline: a stage needs static void run(zguard::stage_env&, Sockets&...) taking its "
                    "sockets in the order of its binds/connects");
      Stage::run(env, *std::get<I>(sockets)...);
    }(std::index_sequence_for<Es...>{});
  }
  template <class Stage>
  static void run_stage(stage_env& env, pipeline_options const& o) {
    if constexpr (is_relay_stage<Stage>)
      static_assert(!requires { &Stage::run; },
                    "zguard::pipeline: a relay_stage has no run(): the pipeline runs its proxy, so that no stage "
                    "code holds its untyped sockets");
    run_with<Stage>(typename Stage::template ports_of<Stage>{}, env, o);
  }

  // Every replica of every stage in threads of this process, until the
  // `finishes` stages returned (or `limit`); then stops the others.
  static std::map<std::string, std::uint64_t> run_all(pipeline_options const& options,
                                                      std::chrono::milliseconds limit) {
    process_state process;
    make_contexts(process);
    std::mutex mu;
    std::map<std::string, std::uint64_t> results;
    std::vector<std::string> errors;
    std::stop_source stop;
    std::atomic<int> finishers_left{(0 + ... + (Stages::finishes ? Stages::replicas : 0))};
    std::vector<std::jthread> threads;
    auto start = [&]<class Stage>(Stage*) {
      for (int r = 0; r < Stage::replicas; ++r)
        threads.emplace_back([&, r] {
          auto key = std::string(Stage::name) + "." + std::to_string(r);
          stage_env env(std::string(Stage::name), r, stop.get_token(), options,
                        [&, key](std::string const& k, std::uint64_t v) {
                          std::lock_guard lock(mu);
                          results[key + " " + k] = v;
                        });
          stage_env_access::attach_process(env, process);
          try {
            run_stage<Stage>(env, options);
          } catch (std::exception const& e) {
            std::lock_guard lock(mu);
            errors.push_back(key + ": " + e.what());
            stop.request_stop();
          }
          if (Stage::finishes) --finishers_left;
        });
    };
    (start(static_cast<Stages*>(nullptr)), ...);
    auto const deadline = std::chrono::steady_clock::now() + limit;
    while (finishers_left > 0 && !stop.stop_requested() && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    bool const timed_out = finishers_left > 0 && !stop.stop_requested();
    stop.request_stop();
    threads.clear();  // joins
    if (!errors.empty()) throw pipeline_error("zguard::pipeline: " + errors.front());
    if (timed_out) throw pipeline_error("zguard::pipeline: the finishing stages did not finish in time");
    return results;
  }

  // One replica of the stage called `name` in this process.
  static void run_one(std::string_view name, int replica, pipeline_options const& options, std::stop_token stop,
                      std::function<void(std::string const&, std::uint64_t)> report) {
    process_state process;
    make_contexts(process);
    bool found = false;
    auto try_stage = [&]<class Stage>(Stage*) {
      if (Stage::name != name) return;
      found = true;
      refuse_inproc<Stage>();
      if (replica < 0 || replica >= Stage::replicas)
        throw pipeline_error("zguard::pipeline: stage " + std::string(name) + " has " +
                             std::to_string(Stage::replicas) + " replicas");
      stage_env env(std::string(name), replica, stop, options, report);
      stage_env_access::attach_process(env, process);
      run_stage<Stage>(env, options);
    };
    (try_stage(static_cast<Stages*>(nullptr)), ...);
    if (!found) throw pipeline_error("zguard::pipeline: no stage called '" + std::string(name) + "'");
  }
};

}  // namespace detail
}  // namespace v0
}  // namespace zguard
