// Pipelines (docs/pipelines.md) beyond the example programs: an inproc topology runs
// in one process, and a stage on an inproc link refuses to run alone.
// The example pipelines themselves run as ctest pipeline.<name>.{all,launch}.
#include <zguard/pipeline.hpp>
#include <zguard/zguard.hpp>

#include <doctest/doctest.h>

#include "schemas.hpp"
#include "support.hpp"

namespace zg = zguard;
using namespace std::chrono_literals;
using namespace zguard_test;

namespace {
using pipe_domain = zg::domain<"unit.pipeline">;
using pipe_limits = zg::limits<zg::send_hwm<100>, zg::recv_hwm<100>, zg::block_when_full, zg::max_message_size<256>,
                               zg::linger_ms<0>, zg::send_timeout_ms<1000>, zg::recv_timeout_ms<100>>;

struct ticks : zg::link<"ticks", "inproc://unit-ticks", pipe_domain, zg::inproc, zg::stream<tick>, zg::null_mechanism,
                        256> {};
using tick_push = zg::socket<pipe_domain, zg::inproc, zg::push, zg::null_mechanism, pipe_limits, zg::stream<tick>>;
using tick_pull = zg::socket<pipe_domain, zg::inproc, zg::pull, zg::null_mechanism, pipe_limits, zg::stream<tick>>;

constexpr std::uint32_t tick_count = 200;

struct source : zg::stage<"source", zg::binds<ticks, tick_push>> {
  static void run(zg::stage_env& env, tick_push& out) {
    if (!env.await_ready("sink", 1, 10s)) return;
    std::uint64_t sent = 0;
    for (std::uint32_t i = 1; i <= tick_count && !env.stop_requested(); ++i)
      if (out.send(tick{"EURUSD", std::int64_t(i), i})) ++sent;
    env.report("sent", sent);
    while (!env.stop_requested()) std::this_thread::sleep_for(5ms);
  }
};

struct sink : zg::stage<"sink", zg::connects<ticks, tick_pull>> {
  static constexpr bool finishes = true;
  static void run(zg::stage_env& env, tick_pull& in) {
    env.mark_ready();
    std::uint64_t received = 0, in_order = 0;
    while (received < tick_count && !env.stop_requested()) {
      auto t = in.receive<tick>();
      if (!t) continue;
      ++received;
      if (t->value.seq == received) ++in_order;
    }
    env.report("received", received);
    env.report("in_order", in_order);
  }
};

using inproc_pipeline = zg::pipeline<source, sink>;
static_assert(source::inproc_link == "ticks");
}  // namespace

TEST_CASE("an inproc pipeline runs in one process and delivers every message in order") {
  temp_dir keys, rendezvous;
  inproc_pipeline::generate_keys(keys.path);  // nothing to generate: no CURVE, no signing
  zg::pipeline_options const options{keys.path, rendezvous.path};
  auto const results = inproc_pipeline::run_all(options, 30s);
  CHECK(results.at("source.0 sent") == tick_count);
  CHECK(results.at("sink.0 received") == tick_count);
  CHECK(results.at("sink.0 in_order") == tick_count);
  auto const text = inproc_pipeline::describe();
  CHECK(text.find("link ticks (inproc://unit-ticks; domain=unit.pipeline; transport=inproc") != std::string::npos);
}

TEST_CASE("a stage on an inproc link refuses to run in a process of its own") {
  temp_dir keys, rendezvous;
  std::stop_source stop;
  CHECK_THROWS_WITH_AS(
      inproc_pipeline::run_one("sink", 0, {keys.path, rendezvous.path}, stop.get_token(),
                               [](std::string const&, std::uint64_t) {}),
      "zguard::pipeline: stage sink uses the inproc link ticks, whose ends must share a process: run the "
      "pipeline with --all",
      zg::pipeline_error);
}
