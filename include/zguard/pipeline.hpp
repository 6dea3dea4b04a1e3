// zguard/pipeline.hpp - a whole topology as a type (docs/pipelines.md).
//
//   struct ventilator : zg::stage<"ventilator", zg::binds<tasks, zg::push, work_limits>> {
//     static constexpr bool finishes = true;           // the pipeline is done when it returns
//     static void run(zg::stage_env& env, socket_on<tasks>& out);
//   };
//   using tasks_pipeline = zg::pipeline<ventilator, worker, sink>;
//
// pipeline<Stages...> checks at compile time that every link has one
// binding stage and that every socket fits its link and its peers
// (pipeline/topology.hpp, link.hpp). At run time it generates the key
// material the topology needs (pipeline/keys.hpp), constructs each stage's
// sockets with the right keys, binds and connects them, and runs the
// stages (pipeline/runtime.hpp): all in one process (threads), or one stage
// per process picked by name from the command line (pipeline/launcher.hpp).
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <stop_token>
#include <string>
#include <string_view>
#include <utility>

// In dependency order, so that a diagnostic's "included from" chain is short.
#include <zguard/link.hpp>
#include <zguard/pipeline/topology.hpp>
#include <zguard/pipeline/error.hpp>
#include <zguard/pipeline/flags.hpp>
#include <zguard/pipeline/stage_env.hpp>
#include <zguard/pipeline/keys.hpp>
#include <zguard/pipeline/runtime.hpp>
#include <zguard/pipeline/deployment.hpp>
#include <zguard/pipeline/launcher.hpp>

namespace zguard {
inline namespace v0 {

template <class... Stages>
class pipeline {
  using topology = detail::topology<Stages...>;
  using runtime = detail::runtime<Stages...>;

 public:
  // Every link checked; instantiating the pipeline type runs the checks.
  static constexpr bool checked = topology::check_all(typename topology::entries{});
  static_assert(checked);

  // Each link with the stages on it and their sockets' security profiles.
  static std::string describe() { return detail::describe<topology>(); }

  // Writes every key the topology needs into dir (created 0700); the files
  // are listed in pipeline/keys.hpp.
  static void generate_keys(std::filesystem::path const& dir) { detail::generate_keys<topology>(dir); }

  // Runs every replica of every stage in this process; returns when all
  // `finishes` stages returned (or after `limit`), then stops the others.
  // Returns the reported results: "stage.replica key" -> value.
  static std::map<std::string, std::uint64_t> run_all(pipeline_options const& options,
                                                      std::chrono::milliseconds limit) {
    return runtime::run_all(options, limit);
  }

  // Runs one replica of the stage called `name` (one stage per process).
  static void run_one(std::string_view name, int replica, pipeline_options const& options, std::stop_token stop,
                      std::function<void(std::string const&, std::uint64_t)> report) {
    runtime::run_one(name, replica, options, std::move(stop), std::move(report));
  }

  // A command line for a pipeline program (--print, --keygen, --all,
  // --stage, --launch; pipeline/launcher.hpp).
  static int main(int argc, char** argv) { return detail::pipeline_main<Stages...>(argc, argv, {}); }
  // The same with the program's own flags (pipeline/flags.hpp), read by
  // stages with env.number(name) / env.text(name).
  static int main(int argc, char** argv, pipeline_flags const& flags) {
    return detail::pipeline_main<Stages...>(argc, argv, flags);
  }
};

}  // namespace v0
}  // namespace zguard
