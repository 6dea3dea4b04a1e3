// zguard/pipeline/launcher.hpp - the command line of a pipeline program
// (docs/pipelines.md, "Running"):
//   --print                                         topology and every socket's profile
//   --keygen DIR                                    the key material (generate_keys)
//   --all --keys DIR --dir DIR [--timeout-s N]      every stage in this process
//   --stage NAME [--replica I] --keys DIR --dir DIR one stage (until done or SIGTERM)
//   --launch --keys DIR --dir DIR [--timeout-s N]   one process per stage replica
// Results are printed as "result <stage>.<replica> <key> <value>".
#pragma once

#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <iostream>
#include <map>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include <zguard/detail/policy_set.hpp>
#include <zguard/pipeline/keys.hpp>
#include <zguard/pipeline/runtime.hpp>
#include <zguard/pipeline/stage_env.hpp>
#include <zguard/pipeline/topology.hpp>

namespace zguard {
inline namespace v0 {
namespace detail {

// --stage: runs one replica until it returns or SIGTERM/SIGINT arrives.
// The handler only stores to a lock-free atomic (async-signal-safe); a
// watcher thread turns that into a stop request, because request_stop may
// take a lock the interrupted thread holds.
template <class... Stages>
void run_stage_until_signalled(std::string const& stage, int replica, pipeline_options const& options) {
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
  std::string const key = stage + "." + std::to_string(replica);
  runtime<Stages...>::run_one(stage, replica, options, stop.get_token(), [&](std::string const& k, std::uint64_t v) {
    std::cout << "result " << key << " " << k << " " << v << std::endl;
  });
}

// --launch: this program once per stage replica (--stage), then waits for
// the `finishes` stages and stops the others.
template <class... Stages>
int launch(char const* self, pipeline_options const& o, std::chrono::milliseconds limit) {
  struct proc {
    pid_t pid;
    bool finishes;
    std::string name;
  };
  (runtime<Stages...>::template refuse_inproc<Stages>(), ...);  // before any process starts
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

// The command line above; returns the process's exit status.
template <class... Stages>
int pipeline_main(int argc, char** argv) {
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
      std::cout << describe<topology<Stages...>>();
      return 0;
    }
    if (mode == "--keygen") {
      generate_keys<topology<Stages...>>(a["--keygen"]);
      return 0;
    }
    if (!a.count("--keys") || !a.count("--dir")) {
      std::cerr << argv[0] << ": --print, --keygen DIR, or --all/--stage NAME/--launch with --keys DIR --dir DIR\n";
      return 2;
    }
    pipeline_options options{a["--keys"], a["--dir"]};
    auto const limit = std::chrono::seconds(a.count("--timeout-s") ? std::stol(a["--timeout-s"]) : 120);
    if (mode == "--all") {
      for (auto const& [k, v] : runtime<Stages...>::run_all(options, limit))
        std::cout << "result " << k << " " << v << "\n";
      return 0;
    }
    if (mode == "--stage") {
      run_stage_until_signalled<Stages...>(a["--stage"], a.count("--replica") ? std::stoi(a["--replica"]) : 0,
                                          options);
      return 0;
    }
    if (mode == "--launch") return launch<Stages...>(argv[0], options, limit);
  } catch (std::exception const& e) {
    std::cerr << argv[0] << ": " << e.what() << "\n";
    return 1;
  }
  std::cerr << argv[0] << ": give --print, --keygen, --all, --stage or --launch\n";
  return 2;
}

}  // namespace detail
}  // namespace v0
}  // namespace zguard
