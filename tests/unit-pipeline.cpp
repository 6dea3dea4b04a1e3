// Pipelines (docs/pipelines.md) beyond the example programs: an inproc topology runs
// in one process, a stage on an inproc link refuses to run alone, and a sealed
// service link through a relay gives sealing keys to its ends alone (G19).
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

// customer (REQ, seals) -> queue (relay: ROUTER front, DEALER back) -> teller
// (REP, opens), both links CURVE and sealed: the queue holds CURVE keys only.
using order_service = zg::service<order, order_ack>;
struct front : zg::link<"front", "tcp://127.0.0.1:*", pipe_domain, zg::tcp, order_service, zg::curve_server, 4096,
                        zg::unsigned_link, zg::sealed<>> {};
struct back : zg::link<"back", "tcp://127.0.0.1:*", pipe_domain, zg::tcp, order_service, zg::curve_server, 4096,
                       zg::unsigned_link, zg::sealed<>> {};
using queue_front = zg::socket<pipe_domain, zg::tcp, zg::router, zg::curve_server, rr_limits>;
using queue_back = zg::socket<pipe_domain, zg::tcp, zg::dealer, zg::curve_server, rr_limits>;
struct queue : zg::relay_stage<"queue", zg::binds<front, queue_front>, zg::binds<back, queue_back>> {};

template <zg::fixed_string Name>
struct teller_stage : zg::stage<Name, zg::connects<back, zg::rep, rr_limits>> {
  static constexpr int replicas = 2;
  static void run(zg::stage_env& env, typename teller_stage::template socket_on<back>& rep) {
    rep.serve([](order const& o, zg::peer_info const&) { return order_ack{o.id, true, "opened at the teller"}; },
              env.stop_token());
  }
};
struct teller : teller_stage<"teller"> {};
struct auditor : teller_stage<"auditor"> {};  // a second service behind the same queue

constexpr std::uint64_t calls_per_customer = 20;
struct customer : zg::stage<"customer", zg::connects<front, zg::req, rr_limits>> {
  static constexpr int replicas = 2;
  static constexpr bool finishes = true;
  static void run(zg::stage_env& env, socket_on<front>& req) {
    std::uint64_t answered = 0;
    for (std::uint64_t i = 1; i <= calls_per_customer && !env.stop_requested(); ++i) {
      auto r = req.call(numbered_order(i));
      if (r.ok() && r.value().id == i && r.value().note.view() == "opened at the teller") ++answered;
    }
    env.report("answered", answered);
    env.report("seal_refusals", req.events().count("seal.forged") + req.events().count("seal.unknown_request"));
  }
};
using sealed_pipeline = zg::pipeline<queue, teller, customer>;
using sealed_topology = zg::detail::topology<queue, teller, customer>;
using two_services_pipeline = zg::pipeline<queue, teller, auditor, customer>;

// A sealed feed's publisher with nobody to seal to.
using pipe_signing = zg::signing<zg::ed25519>;
struct lonely_feed : zg::link<"lonely", "ipc://{dir}/lonely.sock", pipe_domain, zg::ipc, zg::topic<"ticks", tick>,
                              zg::null_mechanism, 256, pipe_signing, zg::sealed<zg::max_members<2>>> {};
using lonely_limits = zg::limits<zg::send_hwm<100>, zg::recv_hwm<100>, zg::drop_when_full, zg::max_message_size<4096>,
                                 zg::linger_ms<0>, zg::send_timeout_ms<1000>, zg::recv_timeout_ms<100>,
                                 zg::handshake_timeout_ms<2000>>;
struct lonely_publisher : zg::stage<"publisher", zg::binds<lonely_feed, zg::pub, lonely_limits>> {
  static void run(zg::stage_env&, socket_on<lonely_feed>&) {}
};

// A feed through a relay with a subscriber on each side of it and a second
// publisher behind it: what each publisher reaches is downstream only.
using feed_sealing = zg::sealed<zg::max_members<4>>;
struct up : zg::link<"up", "ipc://{dir}/up.sock", pipe_domain, zg::ipc, zg::topic<"ticks", tick>, zg::null_mechanism,
                     256, pipe_signing, feed_sealing> {};
struct down : zg::link<"down", "ipc://{dir}/down.sock", pipe_domain, zg::ipc, zg::topic<"ticks", tick>,
                       zg::null_mechanism, 256, pipe_signing, feed_sealing> {};
using relay_in = zg::socket<pipe_domain, zg::ipc, zg::xsub, zg::null_mechanism, lonely_limits>;
using relay_out = zg::socket<pipe_domain, zg::ipc, zg::xpub, zg::null_mechanism, lonely_limits>;
template <zg::fixed_string Name, class Port>
struct idle_stage : zg::stage<Name, Port> {
  template <class Socket>
  static void run(zg::stage_env&, Socket&) {}
};
struct first_pub : idle_stage<"first_pub", zg::binds<up, zg::pub, lonely_limits>> {};
struct up_reader : idle_stage<"up_reader", zg::connects<up, zg::sub, lonely_limits>> {};
struct feed_relay : zg::relay_stage<"feed_relay", zg::connects<up, relay_in>, zg::connects<down, relay_out>> {};
struct down_reader : idle_stage<"down_reader", zg::binds<down, zg::sub, lonely_limits>> {};
struct second_pub : idle_stage<"second_pub", zg::connects<down, zg::pub, lonely_limits>> {};
using feed_topology = zg::detail::topology<first_pub, up_reader, feed_relay, down_reader, second_pub>;
static_assert(zg::pipeline<first_pub, up_reader, feed_relay, down_reader, second_pub>::checked);

// The lonely feed with more subscriber stages than its max_members<2>.
template <zg::fixed_string Name>
using crowd_reader = idle_stage<Name, zg::connects<lonely_feed, zg::sub, lonely_limits>>;
using crowded_pipeline =
    zg::pipeline<lonely_publisher, crowd_reader<"reader_a">, crowd_reader<"reader_b">, crowd_reader<"reader_c">>;

template <class Topology, class Stage>
std::set<std::string> openers_of(std::filesystem::path const& dir) {
  std::set<std::string> out;
  [&]<class... Es>(zg::detail::type_list<Es...>) {
    auto one = [&]<class E>(E*) {
      if constexpr (std::is_same_v<typename E::stage, Stage>)
        for (auto const& f : zg::detail::opener_files<Topology, E>(dir)) out.insert(f.filename().string());
    };
    (one(static_cast<Es*>(nullptr)), ...);
  }(typename Topology::entries{});
  return out;
}

std::set<std::string> files_in(std::filesystem::path const& dir) {
  std::set<std::string> out;
  for (auto const& e : std::filesystem::directory_iterator(dir)) out.insert(e.path().filename().string());
  return out;
}
std::set<std::string> seal_files_in(std::filesystem::path const& dir) {
  std::set<std::string> out;
  for (auto const& f : files_in(dir))
    if (f.find(".seal") != std::string::npos) out.insert(f);
  return out;
}
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

TEST_CASE("a sealed link through a relay: keys for its ends alone, and calls answered through it") {
  temp_dir keys, rendezvous;
  sealed_pipeline::generate_keys(keys.path);
  // One sealing key, the teller stage's (its replicas share it); the customer
  // reads its public part, the queue nothing of it.
  CHECK(seal_files_in(keys.path) == std::set<std::string>{"teller.back.seal", "teller.back.seal_secret"});
  std::vector<zg::detail::key_file> queue_files, customer_files;
  [&]<class... Es>(zg::detail::type_list<Es...>) {
    auto one = [&]<class E>(E*) {
      if constexpr (std::is_same_v<typename E::stage, queue>) zg::detail::key_files_of<sealed_topology, E>(keys.path, queue_files);
      if constexpr (std::is_same_v<typename E::stage, customer>)
        zg::detail::key_files_of<sealed_topology, E>(keys.path, customer_files);
    };
    (one(static_cast<Es*>(nullptr)), ...);
  }(sealed_topology::entries{});
  for (auto const& f : queue_files) CHECK(f.path.filename().string().find(".seal") == std::string::npos);
  CHECK(std::count_if(customer_files.begin(), customer_files.end(), [&](auto const& f) {
          return f.path == keys.path / "teller.back.seal" && !f.secret;
        }) == 1);

  // Spread over three hosts, the queue's host holds no sealing file at all.
  auto const d = zg::deployment::parse(R"(host c keys /etc/zg/c dir /run/zg
host r keys /etc/zg/r dir /run/zg
host w keys /etc/zg/w dir /run/zg
stage customer on c
stage queue on r
stage teller on w
link front bind tcp://0.0.0.0:7101 connect tcp://10.0.0.2:7101
link back bind tcp://0.0.0.0:7102 connect tcp://10.0.0.2:7102
)",
                                       "sealed.deploy");
  zg::detail::check_deployment<sealed_topology, queue, teller, customer>(d);
  temp_dir hosts;
  zg::detail::export_host_keys<sealed_topology>(d, keys.path, hosts.path);
  CHECK(files_in(hosts.path / "c") == std::set<std::string>{"customer.client.cert", "customer.client.cert_secret",
                                                              "front.server.cert", "teller.back.seal"});
  CHECK(files_in(hosts.path / "r") == std::set<std::string>{"front.server.cert", "front.server.cert_secret",
                                                              "customer.client.cert", "back.server.cert",
                                                              "back.server.cert_secret", "teller.client.cert"});
  CHECK(files_in(hosts.path / "w") == std::set<std::string>{"teller.client.cert", "teller.client.cert_secret",
                                                              "back.server.cert", "teller.back.seal",
                                                              "teller.back.seal_secret"});

  auto const text = sealed_pipeline::describe();
  CHECK(text.find("signing=none; sealed end to end)") != std::string::npos);
  CHECK(text.find("sealed=seals requests to its service's key") != std::string::npos);
  CHECK(text.find("sealed=opens requests, seals answers") != std::string::npos);

  auto const results = sealed_pipeline::run_all({keys.path, rendezvous.path}, 60s);
  CHECK(results.at("customer.0 answered") == calls_per_customer);
  CHECK(results.at("customer.1 answered") == calls_per_customer);
  CHECK(results.at("customer.0 seal_refusals") == 0);
}

TEST_CASE("a sealed link's ends refuse to start without exactly the keys they seal to") {
  SUBCASE("a sealed client reaching two services through the queue: it is pinned to one") {
    temp_dir keys, rendezvous;
    two_services_pipeline::generate_keys(keys.path);
    CHECK(seal_files_in(keys.path) == std::set<std::string>{"auditor.back.seal", "auditor.back.seal_secret",
                                                             "teller.back.seal", "teller.back.seal_secret"});
    CHECK_THROWS_WITH_AS(two_services_pipeline::run_all({keys.path, rendezvous.path}, 60s),
                         doctest::Contains("stage customer on sealed link front: a sealed client is pinned to one "
                                           "service's sealing key, and 2 stages serve what it sends"),
                         zg::pipeline_error);
  }
  SUBCASE("a sealed publisher with no subscriber stage") {
    temp_dir keys, rendezvous;
    zg::pipeline<lonely_publisher>::generate_keys(keys.path);
    CHECK(seal_files_in(keys.path).empty());
    std::stop_source stop;
    CHECK_THROWS_WITH_AS(zg::pipeline<lonely_publisher>::run_one("publisher", 0, {keys.path, rendezvous.path},
                                                                  stop.get_token(),
                                                                  [](std::string const&, std::uint64_t) {}),
                         "stage publisher on sealed link lonely: no stage subscribes to open what it publishes",
                         zg::pipeline_error);
  }
  SUBCASE("a sealed publisher with more subscriber stages than its max_members") {
    temp_dir keys, rendezvous;
    crowded_pipeline::generate_keys(keys.path);
    CHECK(seal_files_in(keys.path).size() == 6);  // each reader's pair
    std::stop_source stop;
    CHECK_THROWS_WITH_AS(crowded_pipeline::run_one("publisher", 0, {keys.path, rendezvous.path}, stop.get_token(),
                                                   [](std::string const&, std::uint64_t) {}),
                         "stage publisher on sealed link lonely: 3 stages subscribe to open what it publishes, more "
                         "than its sealed<max_members<2>> (raise it on the link)",
                         zg::pipeline_error);
  }
  SUBCASE("a teller's sealing secret that others can read") {
    temp_dir keys, rendezvous;
    sealed_pipeline::generate_keys(keys.path);
    std::filesystem::permissions(keys.path / "teller.back.seal_secret", std::filesystem::perms::group_read,
                                 std::filesystem::perm_options::add);
    CHECK_THROWS_WITH_AS(sealed_pipeline::run_all({keys.path, rendezvous.path}, 60s),
                         doctest::Contains("teller.back.seal_secret"), zg::pipeline_error);
  }
}

TEST_CASE("a sealed publisher seals to the subscribers its messages reach, never to one upstream of it") {
  temp_dir keys;
  // first_pub's quotes reach up_reader and, through the relay, down_reader.
  CHECK(openers_of<feed_topology, first_pub>(keys.path) ==
        std::set<std::string>{"up_reader.up.seal", "down_reader.down.seal"});
  // second_pub's reach down_reader alone: the relay passes nothing upstream.
  CHECK(openers_of<feed_topology, second_pub>(keys.path) == std::set<std::string>{"down_reader.down.seal"});
}
