// pipeline_broker: clients -> broker (ROUTER/DEALER) -> workers, as one
// checked type (docs/pipelines.md). The broker's CURVE ROUTER front binds
// each routing id to the client's key and limits each key to 100 requests/s;
// workers sit behind an ipc DEALER. The broker's untyped relay sockets are
// the example programs' own (demo_sockets.hpp); the typed sockets are
// derived from the links and come out as those programs' types too.
#include <zguard/pipeline.hpp>
#include <zguard/zguard.hpp>

#include <chrono>
#include <type_traits>

#include "demo_sockets.hpp"

namespace zg = zguard;
using namespace std::chrono_literals;

namespace broker_example {
using namespace example;

struct front : zg::link<"front", "tcp://127.0.0.1:*", service_domain, zg::tcp, service_channel, zg::curve_server, 2048> {};
struct back : zg::link<"back", "ipc://{dir}/workers.sock", service_domain, zg::ipc, service_channel,
                       zg::null_mechanism, 2048> {};

constexpr std::uint32_t calls_per_client = 60;

// The pipeline runs the queue (a proxy) and reports the front's
// rate_limited and identity_mismatches counts when stopped.
struct broker : zg::relay_stage<"broker", zg::binds<front, front_socket>, zg::binds<back, back_socket>> {};

struct worker : zg::stage<"worker", zg::connects<back, zg::rep, worker_limits>> {
  static constexpr int replicas = 2;
  static void run(zg::stage_env& env, socket_on<back>& rep) {
    std::uint64_t served = 0;
    rep.serve(
        [&](request const& r, zg::peer_info const&) -> reply {
          return {r.sequence, ++served, "worker-" + std::to_string(env.replica()) + ": " + r.text.str()};
        },
        env.stop_token());
    env.report("served", served);
  }
};

// Three clients share the "client" stage's key, so they share its rate
// budget: 3 x 25 calls/s stays under the broker's 100/s.
struct client : zg::stage<"client", zg::connects<front, zg::req, client_limits>> {
  static constexpr int replicas = 3;
  static constexpr bool finishes = true;
  static void run(zg::stage_env& env, socket_on<front>& req) {
    std::uint64_t answered = 0, wrong = 0;
    for (std::uint32_t i = 1; i <= calls_per_client && !env.stop_requested(); ++i) {
      auto r = req.call(request{i, "call " + std::to_string(i)}, 10);
      if (r && r->sequence == i) ++answered;
      else ++wrong;
      std::this_thread::sleep_for(40ms);
    }
    env.report("answered", answered);
    env.report("failed", wrong);
  }
};

using pipeline = zg::pipeline<broker, worker, client>;
// The pipeline checks the very types the worker and curve_client programs run.
static_assert(std::is_same_v<worker::socket_on<back>, worker_socket> &&
              std::is_same_v<client::socket_on<front>, client_socket>);

}  // namespace broker_example

int main(int argc, char** argv) { return broker_example::pipeline::main(argc, argv); }
