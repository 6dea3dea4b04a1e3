// Fault tests (G6; docs/reliability.md): a service, a broker and a publisher are killed
// with SIGKILL mid-stream and restarted on the same endpoints; clients
// recover by themselves, and what the pattern promises holds: every REQ call
// answered with its own reply, every subscriber sequence free of duplicates
// and contiguous within a publisher epoch.
#include <atomic>
#include <set>

#include "../../examples/example_schemas.hpp"
#include "harness.hpp"

namespace reliability {
namespace {

// Restarts `make()` after killing `old` with SIGKILL once `progress` reaches
// `at`; returns the new child. Bounded by a deadline.
template <class Make>
std::unique_ptr<child> kill_and_restart(std::unique_ptr<child> old, std::atomic<long> const& progress, long at,
                                        Make make, fs::path const& endpoint_file) {
  auto const deadline = steady::now() + 30s;
  while (progress < at && steady::now() < deadline) std::this_thread::sleep_for(5ms);
  REQUIRE(progress >= at);
  ::kill(old->pid(), SIGKILL);
  old.reset();  // reaped
  fs::remove(endpoint_file);
  std::this_thread::sleep_for(300ms);  // an outage clients must notice
  auto fresh = make();
  (void)await_endpoint(endpoint_file);
  return fresh;
}

}  // namespace

TEST_CASE("fault: a service killed with SIGKILL and restarted: every call answered, each with its own reply") {
  scratch dir;
  key_store keys(dir.path / "keys");
  keys.add_client("client");
  auto const endpoint_file = dir.path / "endpoint";
  auto start = [&](std::string const& bind) {
    return std::make_unique<child>(
        std::vector<std::string>{self_exe(), "--role", "serve", keys.dir.string(), bind, endpoint_file.string()},
        dir.path / "server.out");
  };
  auto server = start("tcp://127.0.0.1:*");
  auto const endpoint = await_endpoint(endpoint_file);

  constexpr long calls = 200;
  zg::context<rel_domain> ctx(zg::event_sink{});
  std::atomic<long> answered{0};
  long wrong = 0, lost = 0;
  latency lat;
  std::jthread client([&] {
    client_socket req(ctx, keys.client_keys("client"), keys.server_key(), keys.client_signing("client"),
                      keys.server_verify());
    req.connect(endpoint);
    for (long i = 1; i <= calls; ++i) {
      auto const t0 = steady::now();
      auto r = req.call(task{7, std::uint64_t(i), "survive a crash"}, 20);  // 20 x 500 ms at most
      if (r.status() == zg::call_status::timed_out) ++lost;
      else if (!r || r->id != std::uint64_t(i)) ++wrong;
      else ++answered;
      lat.add(steady::now() - t0);
      std::this_thread::sleep_for(5ms);
    }
  });
  server = kill_and_restart(std::move(server), answered, 50, [&] { return start(endpoint); }, endpoint_file);
  client.join();
  REQUIRE(WIFEXITED(server->stop(SIGTERM)));
  auto const timeouts = ctx.events().count("req.timeout");
  // Only the restarted server prints (the first one was SIGKILLed): what it
  // served proves the client moved over to it by itself.
  std::ifstream out(dir.path / "server.out");
  std::string word;
  long served_after_restart = -1;
  while (out >> word)
    if (word == "served") out >> served_after_restart;
  figure("fault.service calls=", calls, " answered=", answered.load(), " wrong=", wrong, " lost=", lost,
         " attempts_timed_out=", timeouts, " served_after_restart=", served_after_restart,
         " slowest_call_ms=", lat.percentile(100) / 1000.0);
  CHECK(answered == calls);
  CHECK(wrong == 0);
  CHECK(lost == 0);
  CHECK(served_after_restart >= calls - 51);
}

TEST_CASE("fault: the example broker killed with SIGKILL and restarted: workers and clients reconnect") {
  scratch dir;
  fs::create_directories(dir.path / "allowed");
  auto const server_keys = zg::keypair::generate();
  auto const client_keys = zg::keypair::generate();
  zg::save_certificate(dir.path / "broker.cert", server_keys);
  zg::save_certificate(dir.path / "allowed" / "client.cert", client_keys);
  fs::remove(dir.path / "allowed" / "client.cert_secret");
  std::string const bin = ZGUARD_EXAMPLES_DIR;
  auto const endpoint_file = dir.path / "broker_endpoint";
  auto const back = "ipc://" + (dir.path / "workers.sock").string();
  auto broker_at = [&](std::string const& front) {
    return std::make_unique<child>(
        std::vector<std::string>{bin + "/broker", "--front", front, "--cert", (dir.path / "broker.cert").string(),
                                 "--allow-dir", (dir.path / "allowed").string(), "--back", back,
                                 "--endpoint-file", endpoint_file.string()},
        dir.path / "broker.out");
  };
  auto broker = broker_at("tcp://127.0.0.1:*");
  auto const endpoint = await_endpoint(endpoint_file);
  child worker1({bin + "/worker", "--connect", back, "--name", "w1"}, dir.path / "w1.out");
  child worker2({bin + "/worker", "--connect", back, "--name", "w2"}, dir.path / "w2.out");

  using limits = zg::limits<zg::send_hwm<100>, zg::recv_hwm<100>, zg::block_when_full, zg::max_message_size<2048>,
                            zg::linger_ms<0>, zg::send_timeout_ms<1000>, zg::recv_timeout_ms<500>,
                            zg::handshake_timeout_ms<2000>>;
  using client_t = zg::socket<example::service_domain, zg::tcp, zg::req, zg::curve_client, limits,
                              example::service_channel>;
  zg::context<example::service_domain> ctx(zg::event_sink{});
  constexpr long calls = 150;
  std::atomic<long> answered{0};
  long wrong = 0, lost = 0;
  std::set<std::string> workers_seen;
  std::jthread client([&] {
    client_t req(ctx, client_keys, server_keys.public_part());
    req.connect(endpoint);
    for (long i = 1; i <= calls; ++i) {
      auto r = req.call(example::request{std::uint32_t(i), "through the broker"}, 20);
      if (r.status() == zg::call_status::timed_out) ++lost;
      else if (!r || r->sequence != std::uint32_t(i)) ++wrong;
      else {
        ++answered;
        workers_seen.insert(r->text.str().substr(0, 2));
      }
      std::this_thread::sleep_for(20ms);  // under the broker's 100/s per-key limit
    }
  });
  broker = kill_and_restart(std::move(broker), answered, 50, [&] { return broker_at(endpoint); }, endpoint_file);
  client.join();
  REQUIRE(WIFEXITED(broker->stop(SIGTERM)));
  auto const timeouts = ctx.events().count("req.timeout");
  figure("fault.broker calls=", calls, " answered=", answered.load(), " wrong=", wrong, " lost=", lost,
         " attempts_timed_out=", timeouts, " workers=", workers_seen.size());
  CHECK(answered == calls);
  CHECK(wrong == 0);
  CHECK(lost == 0);
  CHECK(workers_seen == std::set<std::string>{"w1", "w2"});
}

TEST_CASE("fault: a signed publisher killed with SIGKILL and restarted: a new epoch, no duplicates, no gaps") {
  scratch dir;
  key_store keys(dir.path / "keys");
  keys.add_client("subscriber");
  auto const endpoint_file = dir.path / "endpoint";
  auto start = [&](std::string const& bind) {
    return std::make_unique<child>(
        std::vector<std::string>{self_exe(), "--role", "publish", keys.dir.string(), bind, endpoint_file.string()},
        dir.path / "publisher.out");
  };
  auto publisher = start("tcp://127.0.0.1:*");
  auto const endpoint = await_endpoint(endpoint_file);

  zg::context<rel_domain> ctx(zg::event_sink{});
  feed_sub sub(ctx, keys.client_keys("subscriber"), keys.server_key(), keys.server_verify());
  sub.connect(endpoint);
  struct run {
    std::vector<std::uint64_t> sequences;
  };
  std::map<std::uint64_t, run> epochs;  // epoch -> sequences in arrival order
  std::vector<std::uint64_t> epoch_order;
  std::atomic<long> received{0};
  constexpr long per_epoch = 300;
  auto receive_until = [&](auto done) {
    auto const deadline = steady::now() + 30s;
    while (!done() && steady::now() < deadline) {
      auto m = sub.receive<tick>();
      if (!m) continue;
      auto& r = epochs[m->origin.epoch];
      if (r.sequences.empty()) epoch_order.push_back(m->origin.epoch);
      r.sequences.push_back(m->origin.sequence);
      CHECK(m->value.sequence == m->origin.sequence);  // the publisher numbers ticks like its envelopes
      ++received;
    }
  };
  receive_until([&] { return received >= per_epoch; });
  std::atomic<long> go{per_epoch};
  publisher = kill_and_restart(std::move(publisher), go, per_epoch, [&] { return start(endpoint); }, endpoint_file);
  receive_until([&] { return epoch_order.size() == 2 && epochs[epoch_order[1]].sequences.size() >= per_epoch; });
  REQUIRE(WIFEXITED(publisher->stop(SIGTERM)));

  REQUIRE(epoch_order.size() == 2);
  long duplicates = 0, gaps = 0;
  for (auto e : epoch_order) {
    auto const& s = epochs[e].sequences;
    for (std::size_t i = 1; i < s.size(); ++i) {
      if (s[i] <= s[i - 1]) ++duplicates;
      else if (s[i] != s[i - 1] + 1) ++gaps;
    }
  }
  auto const& second = epochs[epoch_order[1]].sequences;
  figure("fault.publisher epochs=", epoch_order.size(), " first_epoch=", epochs[epoch_order[0]].sequences.size(),
         " second_epoch=", second.size(), " second_starts_at=", second.front(), " duplicates=", duplicates,
         " gaps=", gaps, " verify_drops=", ctx.events().count("verify.replay") + ctx.events().count("verify.stale"));
  CHECK(duplicates == 0);
  CHECK(gaps == 0);  // one connection per epoch: libzmq does not drop below the HWM
  CHECK(second.size() >= std::size_t(per_epoch));
}

}  // namespace reliability
