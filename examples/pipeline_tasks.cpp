// pipeline_tasks: ventilator -> workers -> sink over PUSH/PULL with CURVE and
// typed task schemas, the whole topology one checked type (docs/pipelines.md).
//
//   pipeline_tasks --print                      topology and security profiles
//   pipeline_tasks --keygen KEYS                the keys this topology needs
//   pipeline_tasks --all --keys KEYS --dir DIR  every stage in this process
//   pipeline_tasks --launch --keys KEYS --dir DIR   one process per stage
//   pipeline_tasks --launch --deployment FILE --host a   the stages of host a
//   pipeline_tasks --help                       every mode, and --tasks N
#include <zguard/pipeline.hpp>
#include <zguard/zguard.hpp>

#include <chrono>
#include <set>

namespace zg = zguard;
using namespace std::chrono_literals;

namespace tasks_example {

struct work_task {
  ZGUARD_SCHEMA("example.task", 1);
  BOOST_HANA_DEFINE_STRUCT(work_task, (std::uint64_t, id), (std::uint32_t, cost));
};
struct work_result {
  ZGUARD_SCHEMA("example.result", 1);
  BOOST_HANA_DEFINE_STRUCT(work_result, (std::uint64_t, id), (std::uint64_t, value), (std::uint32_t, worker));
};
using work = zg::domain<"work">;
using work_limits = zg::limits<zg::send_hwm<1000>, zg::recv_hwm<1000>, zg::block_when_full, zg::max_message_size<512>,
                               zg::linger_ms<0>, zg::send_timeout_ms<1000>, zg::recv_timeout_ms<200>,
                               zg::handshake_timeout_ms<5000>>;

// The links: everything both ends must agree on. Each stage's socket is
// derived from its link, its side and its pattern and limits.
struct tasks : zg::link<"tasks", "tcp://127.0.0.1:*", work, zg::tcp, zg::stream<work_task>, zg::curve_server, 512> {};
struct results
    : zg::link<"results", "tcp://127.0.0.1:*", work, zg::tcp, zg::stream<work_result>, zg::curve_server, 512> {};

constexpr int worker_count = 2;

// Sends every task once all workers completed their handshake (which
// works whether they run on this host or another), then stays up (closing
// its socket with linger 0 would drop what is still queued).
struct ventilator : zg::stage<"ventilator", zg::binds<tasks, zg::push, work_limits>> {
  static void run(zg::stage_env& env, socket_on<tasks>& out) {
    if (!env.await_handshakes(out, worker_count, 15s)) return;
    std::uint64_t const task_count = env.number("tasks");
    std::uint64_t sent = 0;
    for (std::uint64_t id = 1; id <= task_count && !env.stop_requested(); ++id) {
      while (!out.send(work_task{id, std::uint32_t(id % 7)}))  // retried after a send timeout
        if (env.stop_requested()) break;
      ++sent;
    }
    env.report("sent", sent);
    while (!env.stop_requested()) std::this_thread::sleep_for(10ms);
  }
};

struct worker : zg::stage<"worker", zg::connects<tasks, zg::pull, work_limits>,
                          zg::connects<results, zg::push, work_limits>> {
  static constexpr int replicas = worker_count;
  static void run(zg::stage_env& env, socket_on<tasks>& in, socket_on<results>& out) {
    std::uint64_t processed = 0;
    while (!env.stop_requested()) {
      auto t = in.receive<work_task>();
      if (!t) continue;
      work_result r{t->value.id, t->value.id * t->value.id + t->value.cost, std::uint32_t(env.replica())};
      while (!out.send(r))
        if (env.stop_requested()) break;
      ++processed;
    }
    env.report("processed", processed);
  }
};

// Done when every task's result arrived: counts them, and duplicates.
struct sink : zg::stage<"sink", zg::binds<results, zg::pull, work_limits>> {
  static constexpr bool finishes = true;
  static void run(zg::stage_env& env, socket_on<results>& in) {
    std::uint64_t const task_count = env.number("tasks");
    std::set<std::uint64_t> ids;
    std::set<std::uint32_t> workers;
    std::uint64_t duplicates = 0, wrong = 0;
    while (ids.size() < task_count && !env.stop_requested()) {
      auto r = in.receive<work_result>();
      if (!r) continue;
      if (!ids.insert(r->value.id).second) ++duplicates;
      if (r->value.value != r->value.id * r->value.id + r->value.id % 7) ++wrong;
      workers.insert(r->value.worker);
    }
    env.report("received", ids.size());
    env.report("duplicates", duplicates);
    env.report("wrong", wrong);
    env.report("workers", workers.size());
  }
};

using pipeline = zg::pipeline<ventilator, worker, sink>;

}  // namespace tasks_example

int main(int argc, char** argv) {
  zg::pipeline_flags flags;
  flags.number("tasks", "how many tasks the ventilator sends and the sink waits for", 1000, 1, 1'000'000);
  return tasks_example::pipeline::main(argc, argv, flags);
}
