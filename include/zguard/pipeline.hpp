// zguard/pipeline.hpp - a whole topology as a type (docs/pipelines.md).
//
//   struct ventilator : zg::stage<"ventilator", zg::binds<tasks, task_push>> {
//     static constexpr bool finishes = true;           // the pipeline is done when it returns
//     static void run(zg::stage_env& env, task_push& out);
//   };
//   using tasks_pipeline = zg::pipeline<ventilator, worker, sink>;
//
// pipeline<Stages...> checks at compile time that every link has one
// binding stage and that every socket fits its link and its peers
// (link.hpp). At run time it generates the key material the topology needs
// (generate_keys), constructs each stage's sockets with the right keys,
// binds and connects them, and runs the stages: all in one process
// (threads), or one stage per process picked by name (main()).
#pragma once

#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <stdexcept>
#include <stop_token>
#include <string>
#include <string_view>
#include <thread>
#include <tuple>
#include <typeindex>
#include <utility>
#include <vector>

#include <zguard/auth.hpp>
#include <zguard/detail/policy_set.hpp>
#include <zguard/certificate.hpp>
#include <zguard/context.hpp>
#include <zguard/endpoint.hpp>
#include <zguard/link.hpp>
#include <zguard/proxy.hpp>
#include <zguard/signing.hpp>
#include <zguard/socket.hpp>

namespace zguard {
inline namespace v0 {

struct pipeline_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Where a running pipeline finds its keys and meets its other stages.
struct pipeline_options {
  std::filesystem::path keys;        // from pipeline<...>::generate_keys
  std::filesystem::path rendezvous;  // binders write <link>.endpoint here; "{dir}" in addresses
  std::chrono::milliseconds connect_wait{std::chrono::seconds(15)};
};

namespace detail {
template <class Stage, class Port>
struct stage_port {
  using stage = Stage;
  using port = Port;
  using link = typename Port::link_type;
  using socket = typename Port::socket_type;
};
template <class... Ls>
struct concat;
template <>
struct concat<> {
  using type = type_list<>;
};
template <class... A>
struct concat<type_list<A...>> {
  using type = type_list<A...>;
};
template <class... A, class... B, class... Rest>
struct concat<type_list<A...>, type_list<B...>, Rest...> {
  using type = typename concat<type_list<A..., B...>, Rest...>::type;
};
// What the stages running in one process share: one context per domain
// (inproc links need it) and its one authenticator (libzmq allows one ZAP
// handler per context, so CURVE links of one domain bound in one process
// share an allowlist).
struct process_state {
  std::mutex mu;
  std::map<std::type_index, std::shared_ptr<void>> contexts, authenticators;
};
}  // namespace detail

class stage_env;

// A stage that passes messages on unchanged between two links: the pipeline
// runs a zguard::proxy<Front, Back> between its sockets (ROUTER -> DEALER,
// XSUB -> XPUB, PULL -> PUSH) until stopped. It has no run(): no stage code
// holds its untyped sockets, which would read the links' payloads unchecked.
//   struct forwarder : zg::relay_stage<"forwarder", zg::connects<in, up>, zg::binds<out, down>> {};
template <fixed_string Name, class FrontPort, class BackPort>
struct relay_stage;

// A stage: a name and the links it binds or connects to. Derive a struct
// from it with `static void run(stage_env&, Sockets&...)` taking its
// sockets in port order; set `replicas` to run it several times and
// `finishes = true` on the stages whose return ends the pipeline.
template <fixed_string Name, class... Ports>
struct stage {
  static_assert(sizeof...(Ports) > 0, "zguard::stage: a stage uses at least one link (binds<...> or connects<...>)");
  static constexpr std::string_view name = Name.view();
  static constexpr int replicas = 1;
  static constexpr bool finishes = false;
  template <class Self>
  using ports_of = detail::type_list<detail::stage_port<Self, Ports>...>;
  using sockets = std::tuple<typename Ports::socket_type...>;
  // The first inproc link of the stage (empty if none): such a stage can
  // only run in the process of its peers (--all), never alone (--stage).
  static constexpr std::string_view inproc_link = [] {
    std::string_view found;
    ((found = found.empty() && std::is_same_v<typename Ports::link_type::transport_type, inproc>
                  ? Ports::link_type::name
                  : found),
     ...);
    return found;
  }();
};

template <fixed_string Name, class FrontPort, class BackPort>
struct relay_stage : stage<Name, FrontPort, BackPort>, relay_stage_tag {};

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
  bool await_ready(std::string_view name, int replicas, std::chrono::milliseconds limit) const {
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
  template <class...>
  friend class pipeline;
  std::string stage_;
  int replica_;
  std::stop_token stop_;
  pipeline_options options_;
  std::function<void(std::string const&, std::uint64_t)> report_;
  detail::process_state* process_ = nullptr;
};

template <class... Stages>
class pipeline {
  using entries = typename detail::concat<typename Stages::template ports_of<Stages>...>::type;

  template <class Link, class... Es>
  static constexpr int binders_of(detail::type_list<Es...>) {
    return ((std::is_same_v<typename Es::link, Link> && Es::port::binder ? 1 : 0) + ... + 0);
  }
  template <class E, class... Es>
  static constexpr bool check_entry(detail::type_list<Es...> all) {
    constexpr bool port_ok = detail::port_check<typename E::stage, typename E::link, typename E::socket,
                                                E::port::binder>::ok;
    constexpr int binders = binders_of<typename E::link>(all);
    static_assert(binders <= 1,
                  "zguard::pipeline: a link is bound by more than one stage; exactly one stage binds each link");
    static_assert(binders >= 1, "zguard::pipeline: a link has no binding stage; exactly one stage binds each link");
    if constexpr (E::port::binder && binders == 1) {
      return port_ok && (check_pair<E, Es>() && ...);
    } else {
      return port_ok;
    }
  }
  template <class B, class C>
  static constexpr bool check_pair() {
    if constexpr (std::is_same_v<typename B::link, typename C::link> && !C::port::binder)
      return detail::pair_check<typename B::link, typename B::stage, typename B::socket, typename C::stage,
                                typename C::socket>::ok;
    else return true;
  }
  template <class... Es>
  static constexpr bool check_all(detail::type_list<Es...> all) {
    return (check_entry<Es>(all) && ...);
  }
  static constexpr bool names_unique() {
    std::string_view names[] = {Stages::name...};
    for (std::size_t i = 0; i < sizeof...(Stages); ++i)
      for (std::size_t j = i + 1; j < sizeof...(Stages); ++j)
        if (names[i] == names[j]) return false;
    return true;
  }
  static_assert(sizeof...(Stages) > 0, "zguard::pipeline: no stages");
  static_assert(names_unique(), "zguard::pipeline: two stages have the same name");
  static_assert(((Stages::replicas >= 1 && Stages::replicas <= 256) && ...),
                "zguard::pipeline: a stage's replicas must be in 1..256");

 public:
  // Every link checked; instantiating the pipeline type runs the checks.
  static constexpr bool checked = check_all(entries{});
  static_assert(checked);

  // --- description ----------------------------------------------------------
  static std::string describe() {
    std::string out = "pipeline: " + std::to_string(sizeof...(Stages)) + " stages\n";
    std::set<std::string> seen;
    describe_links(entries{}, out, seen);
    return out;
  }

  // --- keys -----------------------------------------------------------------
  // Writes every key the topology needs into dir (created 0700):
  //   <link>.server.cert(+_secret)  CURVE keypair of the stage binding a CURVE link
  //   <stage>.client.cert(+_secret) CURVE keypair of a stage connecting to CURVE links
  //   <stage>.<link>.sign(+_secret) Ed25519 key of each stage sending on an Ed25519 link
  //   <link>.mac_secret             BLAKE2b group key of a BLAKE2b link
  static void generate_keys(std::filesystem::path const& dir) {
    std::filesystem::create_directories(dir);
    std::filesystem::permissions(dir, std::filesystem::perms::owner_all, std::filesystem::perm_options::replace);
    generate(entries{}, dir);
  }

  // --- running --------------------------------------------------------------
  // Runs every replica of every stage in this process; returns when all
  // `finishes` stages returned (or after `limit`), then stops the others.
  // Returns the reported results: "stage.replica key" -> value.
  static std::map<std::string, std::uint64_t> run_all(pipeline_options const& options,
                                                      std::chrono::milliseconds limit) {
    detail::process_state process;
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
          env.process_ = &process;
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

  // Runs one replica of the stage called `name` (one stage per process).
  static void run_one(std::string_view name, int replica, pipeline_options const& options, std::stop_token stop,
                      std::function<void(std::string const&, std::uint64_t)> report) {
    detail::process_state process;
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
      env.process_ = &process;
      run_stage<Stage>(env, options);
    };
    (try_stage(static_cast<Stages*>(nullptr)), ...);
    if (!found) throw pipeline_error("zguard::pipeline: no stage called '" + std::string(name) + "'");
  }

  // A command line for a pipeline program:
  //   --print                                   topology and every socket's profile
  //   --keygen DIR                              the key material (generate_keys)
  //   --all --keys DIR --dir DIR [--timeout-s N]  every stage in this process
  //   --stage NAME [--replica I] --keys DIR --dir DIR   one stage (until done or SIGTERM)
  //   --launch --keys DIR --dir DIR [--timeout-s N]     one process per stage replica
  // Results are printed as "result <stage>.<replica> <key> <value>".
  static int main(int argc, char** argv) {
    std::map<std::string, std::string> a;
    std::string mode;
    for (int i = 1; i < argc; ++i) {
      std::string f = argv[i];
      if (f == "--print" || f == "--all" || f == "--launch") mode = f;
      else if (i + 1 < argc && (f == "--keygen" || f == "--stage" || f == "--replica" || f == "--keys" ||
                                f == "--dir" || f == "--timeout-s")) {
        a[f] = argv[++i];
        if (f == "--keygen" || f == "--stage") mode = f;
      } else {
        std::cerr << argv[0] << ": unknown or incomplete argument " << f << "\n";
        return 2;
      }
    }
    try {
      if (mode == "--print") {
        std::cout << describe();
        return 0;
      }
      if (mode == "--keygen") {
        generate_keys(a["--keygen"]);
        return 0;
      }
      if (!a.count("--keys") || !a.count("--dir")) {
        std::cerr << argv[0] << ": --print, --keygen DIR, or --all/--stage NAME/--launch with --keys DIR --dir DIR\n";
        return 2;
      }
      pipeline_options options{a["--keys"], a["--dir"]};
      auto const limit = std::chrono::seconds(a.count("--timeout-s") ? std::stol(a["--timeout-s"]) : 120);
      if (mode == "--all") {
        for (auto const& [k, v] : run_all(options, limit)) std::cout << "result " << k << " " << v << "\n";
        return 0;
      }
      if (mode == "--stage") {
        // The handler only stores to a lock-free atomic (async-signal-safe);
        // a watcher thread turns that into a stop request, because
        // request_stop may take a lock the interrupted thread holds.
        static std::atomic<bool> signalled{false};
        static_assert(std::atomic<bool>::is_always_lock_free);
        struct sigaction on_signal {};
        on_signal.sa_handler = [](int) { signalled.store(true, std::memory_order_relaxed); };
        sigemptyset(&on_signal.sa_mask);
        ::sigaction(SIGTERM, &on_signal, nullptr);
        ::sigaction(SIGINT, &on_signal, nullptr);
        std::stop_source stop;
        std::jthread watcher([&stop](std::stop_token done) {
          while (!done.stop_requested() && !signalled.load(std::memory_order_relaxed))
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
          if (signalled.load(std::memory_order_relaxed)) stop.request_stop();
        });
        int const replica = a.count("--replica") ? std::stoi(a["--replica"]) : 0;
        std::string const key = a["--stage"] + "." + std::to_string(replica);
        run_one(a["--stage"], replica, options, stop.get_token(), [&](std::string const& k, std::uint64_t v) {
          std::cout << "result " << key << " " << k << " " << v << std::endl;
        });
        return 0;
      }
      if (mode == "--launch") return launch(argv[0], options, limit);
    } catch (std::exception const& e) {
      std::cerr << argv[0] << ": " << e.what() << "\n";
      return 1;
    }
    std::cerr << argv[0] << ": give --print, --keygen, --all, --stage or --launch\n";
    return 2;
  }

 private:
  // inproc needs one context, so both ends in one process: a stage on an
  // inproc link run alone would wait for a peer that can never arrive.
  template <class Stage>
  static void refuse_inproc() {
    if (!Stage::inproc_link.empty())
      throw pipeline_error("zguard::pipeline: stage " + std::string(Stage::name) + " uses the inproc link " +
                           std::string(Stage::inproc_link) +
                           ", whose ends must share a process: run the pipeline with --all");
  }

  static void make_contexts(detail::process_state& process) {
    auto& contexts = process.contexts;
    auto add = [&]<class... Es>(detail::type_list<Es...>) {
      auto one = [&]<class D>(D*) {
        auto& slot = contexts[std::type_index(typeid(D))];
        if (!slot) slot = std::make_shared<context<D>>();
      };
      (one(static_cast<typename Es::socket::domain_type*>(nullptr)), ...);
    };
    add(entries{});
  }

  template <class... Es>
  static void describe_links(detail::type_list<Es...>, std::string& out, std::set<std::string>& seen) {
    auto one = [&]<class E>(E*) {
      using L = typename E::link;
      if (!seen.insert(std::string(L::name)).second) return;
      out += "link " + link_description<L>() + "\n";
      auto side = [&]<class F>(F*) {
        if constexpr (std::is_same_v<typename F::link, L>) {
          out += std::string(F::port::binder ? "  bound by " : "  connected by ") + std::string(F::stage::name);
          if (F::stage::replicas > 1) out += " x" + std::to_string(F::stage::replicas);
          out += ": " + F::socket::profile() + "\n";
        }
      };
      (side(static_cast<Es*>(nullptr)), ...);
    };
    (one(static_cast<Es*>(nullptr)), ...);
  }

  static std::filesystem::path server_cert(std::filesystem::path const& dir, std::string_view link) {
    return dir / (std::string(link) + ".server.cert");
  }
  static std::filesystem::path client_cert(std::filesystem::path const& dir, std::string_view stage) {
    return dir / (std::string(stage) + ".client.cert");
  }
  static std::filesystem::path sign_file(std::filesystem::path const& dir, std::string_view stage,
                                         std::string_view link) {
    return dir / (std::string(stage) + "." + std::string(link) + ".sign");
  }
  static std::filesystem::path mac_file(std::filesystem::path const& dir, std::string_view link) {
    return dir / (std::string(link) + ".mac");
  }

  template <class... Es>
  static void generate(detail::type_list<Es...>, std::filesystem::path const& dir) {
    auto one = [&]<class E>(E*) {
      using L = typename E::link;
      using S = typename E::socket;
      if constexpr (L::mechanism_type::kind == mechanism_kind::curve) {
        auto const path = E::port::binder ? server_cert(dir, L::name) : client_cert(dir, E::stage::name);
        if (!std::filesystem::exists(path)) save_certificate(path, keypair::generate());
      }
      if constexpr (S::is_signed) {
        using A = typename S::signing_algorithm;
        if constexpr (std::is_same_v<A, ed25519>) {
          auto const path = sign_file(dir, E::stage::name, L::name);
          if (S::signs && !std::filesystem::exists(path)) save_signing_key(path, signing_key<ed25519>::generate());
        } else if (!std::filesystem::exists(detail::secret_path_of(mac_file(dir, L::name)))) {
          save_signing_key(mac_file(dir, L::name), signing_key<blake2b_mac>::generate());
        }
      }
    };
    (one(static_cast<Es*>(nullptr)), ...);
  }

  // The verify keys of a link: the signing key of every other stage that
  // signs on it, and through relays (stages whose untyped sockets pass
  // envelopes on unchanged) the signers of the links they relay from.
  template <class A, class... Es>
  static void add_signers(detail::type_list<Es...> all, std::string_view link, std::string_view except,
                          std::set<std::string>& visited, verify_keys<A>& keys, pipeline_options const& o) {
    if (!visited.insert(std::string(link)).second) return;
    auto one = [&]<class F>(F*) {
      using S = typename F::socket;
      if (F::link::name != link) return;
      if constexpr (S::is_signed) {
        if constexpr (S::signs && std::is_same_v<typename S::signing_algorithm, A>)
          if (F::stage::name != except) keys.add(load_verify_key(sign_file(o.keys, F::stage::name, link)));
      } else if constexpr (!S::typed && detail::data_sender<typename S::pattern_type>) {
        auto upstream = [&]<class G>(G*) {
          using GS = typename G::socket;
          if constexpr (std::is_same_v<typename G::stage, typename F::stage> && !GS::typed &&
                        detail::data_receiver<typename GS::pattern_type>)
            add_signers<A>(all, G::link::name, except, visited, keys, o);
        };
        (upstream(static_cast<Es*>(nullptr)), ...);
      }
    };
    (one(static_cast<Es*>(nullptr)), ...);
  }
  template <class E>
  static auto verify_keys_for(pipeline_options const& o) {
    using A = typename E::socket::signing_algorithm;
    verify_keys<A> keys;
    if constexpr (std::is_same_v<A, blake2b_mac>) {
      keys.add(load_signing_key<blake2b_mac>(mac_file(o.keys, E::link::name)));
    } else {
      std::set<std::string> visited;
      add_signers<A>(entries{}, E::link::name, E::stage::name, visited, keys, o);
      if (keys.size() == 0)
        throw pipeline_error("stage " + std::string(E::stage::name) + ": nobody signs what it receives on link " +
                             std::string(E::link::name));
    }
    return keys;
  }

  template <class E>
  static auto signing_arguments(pipeline_options const& o) {
    using S = typename E::socket;
    if constexpr (!S::is_signed) {
      return std::tuple<>{};
    } else {
      using A = typename S::signing_algorithm;
      auto key = [&] {
        if constexpr (std::is_same_v<A, ed25519>)
          return load_signing_key<ed25519>(sign_file(o.keys, E::stage::name, E::link::name));
        else return load_signing_key<blake2b_mac>(mac_file(o.keys, E::link::name));
      };
      if constexpr (S::signs && S::verifies) return std::make_tuple(key(), verify_keys_for<E>(o));
      else if constexpr (S::signs) return std::make_tuple(key());
      else return std::make_tuple(verify_keys_for<E>(o));
    }
  }

  // The CURVE clients allowed on a link: every stage connecting to it.
  template <class E, class D, class... Es>
  static void allow_clients(authenticator<D>& auth, detail::type_list<Es...>, pipeline_options const& o) {
    auto one = [&]<class F>(F*) {
      if constexpr (std::is_same_v<typename F::link, typename E::link> && !F::port::binder)
        auth.allow(load_public_certificate(client_cert(o.keys, F::stage::name)).key);
    };
    (one(static_cast<Es*>(nullptr)), ...);
  }

  template <class E>
  static std::unique_ptr<typename E::socket> make_socket(stage_env& env, pipeline_options const& o) {
    using S = typename E::socket;
    using D = typename S::domain_type;
    using M = typename S::mechanism_type;
    auto& ctx = env.context_of<D>();
    auto sig = signing_arguments<E>(o);
    if constexpr (M::kind == mechanism_kind::curve && M::role == mechanism_role::server) {
      auto& auth = env.authenticator_of<D>();
      allow_clients<E>(auth, entries{}, o);
      auto keys = load_keypair_certificate(server_cert(o.keys, E::link::name));
      return std::apply([&](auto&... s) { return std::make_unique<S>(ctx, auth, keys, s...); }, sig);
    } else if constexpr (M::kind == mechanism_kind::curve) {
      auto keys = load_keypair_certificate(client_cert(o.keys, E::stage::name));
      auto server = load_public_certificate(server_cert(o.keys, E::link::name)).key;
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

  template <class E>
  static void attach(typename E::socket& s, pipeline_options const& o, stage_env const& env) {
    using L = typename E::link;
    using T = typename L::transport_type;
    auto const file = o.rendezvous / (std::string(L::name) + ".endpoint");
    if constexpr (E::port::binder) {
      std::string bound;
      if constexpr (std::is_same_v<T, inproc>) {
        bound = resolve(L::address, o);
        s.bind(endpoint<inproc, typename L::domain_type>(bound));
      } else {
        bound = s.bind(resolve(L::address, o)).address;
      }
      auto const tmp = file.string() + ".tmp" + std::to_string(::getpid()) + "." + env.stage();
      std::ofstream(tmp) << bound << "\n";
      std::filesystem::rename(tmp, file);  // connectors never read half a line
    } else {
      auto const deadline = std::chrono::steady_clock::now() + o.connect_wait;
      std::string address;
      while (address.empty()) {
        std::ifstream(file) >> address;
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
  static void run_with(detail::type_list<Es...>, stage_env& env, pipeline_options const& o) {
    auto sockets = std::make_tuple(make_socket<Es>(env, o)...);
    if constexpr (detail::is_relay_stage<Stage>) {
      static_assert(!requires { &Stage::run; },
                    "zguard::pipeline: a relay_stage has no run(): the pipeline runs its proxy, so that no stage "
                    "code holds its untyped sockets");
      [&]<std::size_t... I>(std::index_sequence<I...>) { (attach<Es>(*std::get<I>(sockets), o, env), ...); }(
          std::index_sequence_for<Es...>{});
      auto& front = *std::get<0>(sockets);
      auto& back = *std::get<1>(sockets);
      using F = std::remove_reference_t<decltype(front)>;
      using B = std::remove_reference_t<decltype(back)>;
      {
        proxy<F, B> relay(env.context_of<typename F::domain_type>(), front, back);
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
    run_with<Stage>(typename Stage::template ports_of<Stage>{}, env, o);
  }

  static int launch(char const* self, pipeline_options const& o, std::chrono::milliseconds limit) {
    struct proc {
      pid_t pid;
      bool finishes;
      std::string name;
    };
    (refuse_inproc<Stages>(), ...);  // before any process starts
    std::vector<proc> procs;
    std::string const exe = std::filesystem::read_symlink("/proc/self/exe").string();
    auto spawn = [&]<class Stage>(Stage*) {
      for (int r = 0; r < Stage::replicas; ++r) {
        std::vector<std::string> args{exe,     "--stage", std::string(Stage::name), "--replica", std::to_string(r),
                                      "--keys", o.keys.string(), "--dir", o.rendezvous.string()};
        std::vector<char*> argv;
        for (auto& s : args) argv.push_back(s.data());
        argv.push_back(nullptr);
        std::cout.flush();
        pid_t pid = ::fork();
        if (pid < 0) throw pipeline_error("fork failed");
        if (pid == 0) {
          ::execv(argv[0], argv.data());
          std::_Exit(127);
        }
        procs.push_back({pid, Stage::finishes, std::string(Stage::name) + "." + std::to_string(r)});
      }
    };
    (spawn(static_cast<Stages*>(nullptr)), ...);
    int failures = 0;
    auto const deadline = std::chrono::steady_clock::now() + limit;
    auto reap = [&](proc& p, int options) {
      int status = 0;
      if (::waitpid(p.pid, &status, options) != p.pid) return false;
      if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        std::cerr << self << ": stage " << p.name << " failed (status " << status << ")\n";
        ++failures;
      }
      p.pid = -1;
      return true;
    };
    // Polls until every process `which` selects has exited, or `until`.
    auto reap_until = [&](auto which, std::chrono::steady_clock::time_point until) {
      for (;;) {
        bool waiting = false;
        for (auto& p : procs)
          if (p.pid > 0 && which(p) && !reap(p, WNOHANG)) waiting = true;
        if (!waiting || std::chrono::steady_clock::now() >= until) return;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
    };
    reap_until([](proc const& p) { return p.finishes; }, deadline);
    // Late finishers are killed; the others get SIGTERM together and one
    // bounded grace: a stage that ignores it is killed and counted as failed.
    for (auto& p : procs)
      if (p.pid > 0) {
        if (p.finishes) {
          std::cerr << self << ": stage " << p.name << " did not finish in time\n";
          ++failures;
          ::kill(p.pid, SIGKILL);
        } else {
          ::kill(p.pid, SIGTERM);
        }
      }
    reap_until([](proc const& p) { return !p.finishes; }, std::chrono::steady_clock::now() + std::chrono::seconds(10));
    for (auto& p : procs)
      if (p.pid > 0) {
        if (!p.finishes) {
          std::cerr << self << ": stage " << p.name << " did not stop within 10 s of SIGTERM\n";
          ++failures;
          ::kill(p.pid, SIGKILL);
        }
        (void)reap(p, 0);
      }
    return failures == 0 ? 0 : 1;
  }
};

}  // namespace v0
}  // namespace zguard
