// zguard/pipeline/launcher.hpp - the command line of a pipeline program
// (docs/pipelines.md, "Running"; pipeline_usage below lists it): one
// process for every stage, one process per stage replica, one stage
// alone, a host of a deployment (deployment.hpp), keys and systemd units,
// plus the program's own flags (flags.hpp).
// Results are printed as "result <stage>.<replica> <key> <value>".
#pragma once

#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <iostream>
#include <map>
#include <optional>
#include <set>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include <zguard/detail/policy_set.hpp>
#include <zguard/pipeline/deployment.hpp>
#include <zguard/pipeline/flags.hpp>
#include <zguard/pipeline/keys.hpp>
#include <zguard/pipeline/runtime.hpp>
#include <zguard/pipeline/stage_env.hpp>
#include <zguard/pipeline/topology.hpp>

namespace zguard {
inline namespace v0 {
namespace detail {

// SIGTERM and SIGINT set a lock-free flag (async-signal-safe); callers
// poll it, or a watcher thread turns it into a stop request, because
// request_stop may take a lock the interrupted thread holds.
inline std::atomic<bool>& stop_signal_flag() {
  static std::atomic<bool> signalled{false};
  static_assert(std::atomic<bool>::is_always_lock_free);
  struct sigaction on_signal {};
  on_signal.sa_handler = [](int) { stop_signal_flag().store(true, std::memory_order_relaxed); };
  sigemptyset(&on_signal.sa_mask);
  ::sigaction(SIGTERM, &on_signal, nullptr);
  ::sigaction(SIGINT, &on_signal, nullptr);
  return signalled;
}

// --stage: runs one replica until it returns or SIGTERM/SIGINT arrives.
template <class... Stages>
void run_stage_until_signalled(std::string const& stage, int replica, pipeline_options const& options) {
  auto& signalled = stop_signal_flag();
  std::stop_source stop;
  std::jthread watcher([&stop, &signalled](std::stop_token done) {
    while (!done.stop_requested() && !signalled.load(std::memory_order_relaxed))
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    if (signalled.load(std::memory_order_relaxed)) stop.request_stop();
  });
  std::string const key = stage + "." + std::to_string(replica);
  runtime<Stages...>::run_one(stage, replica, options, stop.get_token(), [&](std::string const& k, std::uint64_t v) {
    std::cout << "result " << key << " " << k << " " << v << std::endl;
  });
}

// --launch: this program once per replica of each selected stage
// (--stage, with `common` arguments: where keys and peers are), then waits
// for the selected `finishes` stages and stops the others. With no
// finishing stage selected (a host of a deployment that only serves), it
// runs until SIGTERM/SIGINT or until a stage fails.
template <class... Stages>
int launch(char const* self, std::vector<std::string> const& common, std::set<std::string> const& selected,
           std::chrono::milliseconds limit) {
  struct proc {
    pid_t pid;
    bool finishes;
    std::string name;
  };
  auto chosen = [&](std::string_view name) { return selected.empty() || selected.count(std::string(name)) > 0; };
  auto refuse = [&]<class Stage>(Stage*) {
    if (chosen(Stage::name)) runtime<Stages...>::template refuse_inproc<Stage>();
  };
  (refuse(static_cast<Stages*>(nullptr)), ...);  // before any process starts
  bool const serves = !((chosen(Stages::name) && Stages::finishes) || ...);
  auto& signalled = stop_signal_flag();
  std::vector<proc> procs;
  std::string const exe = std::filesystem::read_symlink("/proc/self/exe").string();
  auto spawn = [&]<class Stage>(Stage*) {
    if (!chosen(Stage::name)) return;
    for (int r = 0; r < Stage::replicas; ++r) {
      std::vector<std::string> args{exe, "--stage", std::string(Stage::name), "--replica", std::to_string(r)};
      args.insert(args.end(), common.begin(), common.end());
      std::vector<char*> argv;
      for (auto& s : args) argv.push_back(s.data());
      argv.push_back(nullptr);
      std::cout.flush();
      pid_t pid = ::fork();
      if (pid < 0) throw pipeline_error("fork failed");
      if (pid == 0) {
        ::execv(argv[0], argv.data());  // exec resets our handlers; the stage installs its own
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
  auto reap_until = [&](auto which, auto until) {
    for (;;) {
      bool waiting = false;
      for (auto& p : procs)
        if (p.pid > 0 && which(p) && !reap(p, WNOHANG)) waiting = true;
      if (!waiting || until()) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  };
  if (serves) {
    // Until signalled, or until a stage exits (a serving stage should not).
    reap_until([](proc const&) { return true; }, [&] {
      return signalled.load(std::memory_order_relaxed) ||
             std::any_of(procs.begin(), procs.end(), [](proc const& p) { return p.pid < 0; });
    });
  } else {
    reap_until([](proc const& p) { return p.finishes; }, [&] {
      return signalled.load(std::memory_order_relaxed) || std::chrono::steady_clock::now() >= deadline;
    });
  }
  // Late finishers are killed; the others get SIGTERM together and one
  // bounded grace: a stage that ignores it is killed and counted as failed.
  for (auto& p : procs)
    if (p.pid > 0) {
      if (p.finishes && !signalled.load(std::memory_order_relaxed)) {
        std::cerr << self << ": stage " << p.name << " did not finish in time\n";
        ++failures;
        ::kill(p.pid, SIGKILL);
      } else {
        ::kill(p.pid, SIGTERM);
      }
    }
  auto const grace = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  reap_until([](proc const&) { return true; }, [&] { return std::chrono::steady_clock::now() >= grace; });
  for (auto& p : procs)
    if (p.pid > 0) {
      std::cerr << self << ": stage " << p.name << " did not stop within 10 s of SIGTERM\n";
      ++failures;
      ::kill(p.pid, SIGKILL);
      (void)reap(p, 0);
    }
  return failures == 0 ? 0 : 1;
}

// --timeout-s: how long --all and --launch wait for the finishing stages.
inline constexpr std::uint64_t max_timeout_s = 86400;

inline std::string pipeline_usage(char const* self, pipeline_flags const& flags) {
  std::string u = std::string("usage: ") + self + R"( MODE [FLAGS]
  --print [--deployment FILE]                        the topology and every socket's security profile
                                                     (and where the deployment runs each stage)
  --keygen DIR [--deployment FILE]                   the keys the topology needs; with a deployment also
                                                     DIR/<host>/: only the key files that host's stages read
  --all --keys DIR --dir DIR [--timeout-s N]         every stage in this process (N: 1..86400, default 120)
  --launch --keys DIR --dir DIR [--timeout-s N]      one process per stage replica
  --launch --deployment FILE --host NAME [--timeout-s N]
                                                     the stages the deployment places on that host
  --stage NAME [--replica I] (--keys DIR --dir DIR | --deployment FILE)
                                                     one stage replica, until it returns or SIGTERM
  --systemd-units DIR --deployment FILE [--host NAME] [--exe PATH]
                                                     a systemd unit per stage replica (of that host)
  --help                                             this text
)";
  if (!flags.declared_flags().empty()) u += "flags of this program:\n" + flags.help();
  return u;
}

// The command line above; returns the process's exit status.
template <class... Stages>
int pipeline_main(int argc, char** argv, pipeline_flags flags) {
  std::map<std::string, std::string> a;
  std::string mode;
  char const* self = argc > 0 ? argv[0] : "pipeline";
  std::chrono::seconds limit{120};
  int replica = 0;
  try {
    try {  // the command line alone: a mistake in it is a usage error (2)
      for (int i = 1; i < argc; ++i) {
        std::string f = argv[i];
        if (f == "--help" || f == "-h") {
          std::cout << pipeline_usage(self, flags);
          return 0;
        }
        if (f == "--print" || f == "--all" || f == "--launch") {
          mode = f;
          continue;
        }
        if (f.size() < 3 || f.compare(0, 2, "--") != 0 || i + 1 >= argc) {
          std::cerr << self << ": unknown or incomplete argument " << printable(f) << " (--help lists them)\n";
          return 2;
        }
        std::string const name = f.substr(2), value = argv[++i];
        if (pipeline_flags::reserved(name)) {
          a[f] = value;
          if (f == "--keygen" || f == "--stage" || f == "--systemd-units") mode = f;
        } else if (flags.find(name)) {
          flags.set(name, value);
        } else {
          std::cerr << self << ": unknown argument " << printable(f) << " (--help lists them)\n";
          return 2;
        }
      }
      if (a.count("--timeout-s"))
        limit = std::chrono::seconds(pipeline_flags::parse_number("timeout-s", a["--timeout-s"], 1, max_timeout_s));
      if (a.count("--replica") && a.count("--stage")) {
        std::uint64_t replicas = 0;  // of the stage named (none: run_one says there is no such stage)
        ((Stages::name == a["--stage"] ? replicas = std::uint64_t(Stages::replicas) : 0), ...);
        if (replicas > 0) {
          try {
            replica = int(pipeline_flags::parse_number("replica", a["--replica"], 0, replicas - 1));
          } catch (pipeline_error const& e) {
            throw pipeline_error(std::string(e.what()) + " (stage " + a["--stage"] + " has " +
                                 std::to_string(replicas) + " replicas)");
          }
        }
      }
    } catch (pipeline_error const& e) {
      std::cerr << self << ": " << e.what() << "\n";
      return 2;
    }
    using topo = topology<Stages...>;
    std::optional<deployment> deployed;
    if (a.count("--deployment")) {
      deployed = deployment::load(a["--deployment"]);
      check_deployment<topo, Stages...>(*deployed);
    }
    if (mode == "--print") {
      std::cout << describe<topo>();
      if (deployed) std::cout << describe_deployment(*deployed);
      return 0;
    }
    if (mode == "--keygen") {
      generate_keys<topo>(a["--keygen"]);
      if (deployed) export_host_keys<topo>(*deployed, a["--keygen"], a["--keygen"]);
      return 0;
    }
    if (mode == "--systemd-units") {
      if (!deployed) throw pipeline_error("--systemd-units needs --deployment FILE");
      auto const exe = a.count("--exe") ? std::filesystem::path(a["--exe"])
                                        : std::filesystem::read_symlink("/proc/self/exe");
      if (!exe.is_absolute()) throw pipeline_error("--exe must be an absolute path");
      for (auto const& unit : write_systemd_units<Stages...>(*deployed, a.count("--host") ? a["--host"] : "", exe,
                                                             a["--systemd-units"], flags.arguments()))
        std::cout << unit.string() << "\n";
      return 0;
    }
    // Where the stages find their keys and peers: a deployment, or --keys/--dir.
    std::vector<std::string> common;
    auto options_for = [&](std::string const& host) {
      pipeline_options o{a["--keys"], a["--dir"]};
      if (deployed) o = deployed_options(*deployed, host, flags);
      else o.flags = flags;
      if (!std::filesystem::exists(o.rendezvous)) {  // a run directory we make is ours alone
        std::filesystem::create_directories(o.rendezvous);
        std::filesystem::permissions(o.rendezvous, std::filesystem::perms::owner_all,
                                     std::filesystem::perm_options::replace);
      }
      return o;
    };
    if (deployed) {
      common = {"--deployment", a["--deployment"]};
    } else if (a.count("--keys") && a.count("--dir")) {
      common = {"--keys", a["--keys"], "--dir", a["--dir"]};
    } else {
      std::cerr << self << ": --all/--stage/--launch need --keys DIR --dir DIR or --deployment FILE (--help)\n";
      return 2;
    }
    auto const passed = flags.arguments();
    common.insert(common.end(), passed.begin(), passed.end());
    if (mode == "--all") {
      if (deployed) throw pipeline_error("--all runs every stage here: give --keys and --dir, not a deployment");
      for (auto const& [k, v] : runtime<Stages...>::run_all(options_for(""), limit))
        std::cout << "result " << k << " " << v << "\n";
      return 0;
    }
    if (mode == "--stage") {
      auto const& stage = a["--stage"];
      auto const o = options_for(deployed ? deployed->host_of(stage).name : "");
      run_stage_until_signalled<Stages...>(stage, replica, o);
      return 0;
    }
    if (mode == "--launch") {
      std::set<std::string> selected;
      if (deployed) {
        if (!a.count("--host")) throw pipeline_error("--launch with a deployment needs --host NAME");
        (void)options_for(a["--host"]);  // the host exists; its run directory too
        for (auto const& s : deployed->stages)
          if (s.host == a["--host"]) selected.insert(s.stage);
        if (selected.empty()) throw pipeline_error("deployment places no stage on host " + a["--host"]);
      } else {
        (void)options_for("");
      }
      return launch<Stages...>(self, common, selected, limit);
    }
  } catch (std::exception const& e) {
    std::cerr << self << ": " << e.what() << "\n";
    return 1;
  }
  std::cerr << self << ": give --print, --keygen, --all, --stage, --launch or --systemd-units (--help)\n";
  return 2;
}

}  // namespace detail
}  // namespace v0
}  // namespace zguard
