// Flood test (G5/G9/G14/G15; docs/reliability.md): the signed CURVE service runs in a
// child process while attackers in this process send at full speed and
// legitimate clients work. Asserts: no legitimate call lost, every kind of
// attack refused and counted, the server's peak resident memory within the
// bound its declared limits imply. Prints the figures (FIGURE lines).
#include <netinet/in.h>
#include <sys/socket.h>

#include <atomic>
#include <mutex>
#include <random>

#include "harness.hpp"

namespace reliability {
namespace {

constexpr int legit_clients = 4;
constexpr int legit_calls = 250;        // at least, per client, under attack
constexpr int legit_calls_max = 5000;   // at most
constexpr auto attack_window = 5s;      // clients keep calling at least this long under attack
constexpr auto attack_deadline = 90s;  // attackers stop by themselves at the latest then

std::vector<std::uint8_t> random_bytes(std::size_t n, std::mt19937_64& rng) {
  std::vector<std::uint8_t> b(n);
  for (auto& x : b) x = std::uint8_t(rng());
  return b;
}

// A raw libzmq DEALER speaking CURVE with the given keys: the attacker's tool.
zmq::socket_t raw_curve_dealer(zmq::context_t& raw, zg::public_key const& server, zg::public_key const& pub,
                               std::uint8_t const* secret) {
  zmq::socket_t s(raw, zmq::socket_type::dealer);
  s.set(zmq::sockopt::linger, 0);
  s.set(zmq::sockopt::sndhwm, 4);  // the attacker does not buffer gigabytes of its own
  s.set(zmq::sockopt::curve_serverkey, zmq::const_buffer(server.data(), 32));
  s.set(zmq::sockopt::curve_publickey, zmq::const_buffer(pub.data(), 32));
  s.set(zmq::sockopt::curve_secretkey, zmq::const_buffer(secret, 32));
  return s;
}

// Sends a REQ-style request ([empty, frames...]) without blocking; false when
// the pipe is full or not connected yet.
bool send_request(zmq::socket_t& s, std::vector<std::vector<std::uint8_t>> const& frames) {
  if (!s.send(zmq::const_buffer(), zmq::send_flags::sndmore | zmq::send_flags::dontwait)) return false;
  for (std::size_t i = 0; i < frames.size(); ++i)
    (void)s.send(zmq::buffer(frames[i]), i + 1 < frames.size() ? zmq::send_flags::sndmore : zmq::send_flags::none);
  return true;
}
void drain(zmq::socket_t& s) {
  zmq::message_t m;
  while (s.recv(m, zmq::recv_flags::dontwait)) {
  }
}

std::vector<std::vector<std::uint8_t>> sealed_request(zg::signer<zg::ed25519>& signer,
                                                      std::vector<std::uint8_t> const& payload) {
  auto const sealed = zg::detail::bytes_of(signer.seal("", payload));  // header || payload || signature
  return {std::vector<std::uint8_t>(sealed.begin(), sealed.end())};
}

struct attack_counts {
  std::atomic<std::uint64_t> handshakes{0}, tcp_garbage{0}, oversized{0}, garbage{0}, forged{0};
};

}  // namespace

TEST_CASE("flood: attackers at full speed, legitimate clients lose nothing, server memory stays bounded") {
  scratch dir;
  key_store keys(dir.path / "keys");
  for (int c = 0; c < legit_clients; ++c) keys.add_client("legit-" + std::to_string(c));
  keys.add_client("insider");  // allowed by CURVE and a known signer, but sends garbage
  keys.add_client("forger");   // allowed by CURVE; forges signatures
  child server({self_exe(), "--role", "serve", keys.dir.string(), "tcp://127.0.0.1:*",
                (dir.path / "endpoint").string()},
               dir.path / "server.out");
  auto const endpoint = await_endpoint(dir.path / "endpoint");
  auto const port = std::stoi(endpoint.substr(endpoint.rfind(':') + 1));
  auto const server_key = keys.server_key();

  zg::context<rel_domain> ctx(zg::event_sink{});
  std::mutex mu;
  latency quiet, loaded;
  std::atomic<std::uint64_t> answered{0}, lost{0}, issued{0};
  auto run_clients = [&](latency& into, int calls, steady::duration at_least) {
    auto const until = steady::now() + at_least;
    std::vector<std::jthread> clients;
    for (int c = 0; c < legit_clients; ++c)
      clients.emplace_back([&, c] {
        auto const name = "legit-" + std::to_string(c);
        client_socket req(ctx, keys.client_keys(name), server_key, keys.client_signing(name), keys.server_verify());
        req.connect(endpoint);
        latency mine;
        for (int i = 1; i <= legit_calls_max && (i <= calls || steady::now() < until); ++i) {
          ++issued;
          auto const t0 = steady::now();
          auto r = req.call(task{std::uint64_t(c), std::uint64_t(i), "legitimate work"}, 10);
          if (r && r->client == std::uint64_t(c) && r->id == std::uint64_t(i)) {
            mine.add(steady::now() - t0);
            ++answered;
          } else {
            ++lost;
          }
        }
        std::lock_guard lock(mu);
        into.samples_us.insert(into.samples_us.end(), mine.samples_us.begin(), mine.samples_us.end());
      });
  };

  // 1. Quiet: the latency and memory the service has without attackers.
  run_clients(quiet, 50, 0s);
  REQUIRE(lost == 0);
  auto const baseline = read_rss(server.pid());

  // 2. The attack.
  zmq::context_t raw(2);
  attack_counts sent;
  std::atomic<bool> stop{false};
  auto const attack_end = steady::now() + attack_deadline;
  auto attacking = [&] { return !stop && steady::now() < attack_end; };
  std::vector<std::jthread> attackers;
  // a. valid CURVE handshakes with keys nobody allowed (ZAP says no)
  attackers.emplace_back([&] {
    while (attacking()) {
      auto stranger = zg::keypair::generate();
      auto s = raw_curve_dealer(raw, server_key, stranger.public_part(), stranger.secret_part().data());
      s.connect(endpoint);
      (void)s.send(zmq::str_buffer("let me in"), zmq::send_flags::dontwait);
      std::this_thread::sleep_for(5ms);
      ++sent.handshakes;
    }
  });
  // b. TCP connections writing garbage, some after a valid ZMTP greeting
  attackers.emplace_back([&] {
    std::mt19937_64 rng(1);
    while (attacking()) {
      int fd = ::socket(AF_INET, SOCK_STREAM, 0);
      sockaddr_in a{};
      a.sin_family = AF_INET;
      a.sin_port = htons(std::uint16_t(port));
      a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) {
        auto junk = random_bytes(512, rng);
        if (sent.tcp_garbage % 2) {  // ZMTP 3.0 greeting, CURVE, then junk
          std::uint8_t greeting[64] = {0xff, 0, 0, 0, 0, 0, 0, 0, 1, 0x7f, 3, 0, 'C', 'U', 'R', 'V', 'E'};
          junk.insert(junk.begin(), greeting, greeting + 64);
        }
        (void)!::write(fd, junk.data(), junk.size());
        ++sent.tcp_garbage;
      }
      ::close(fd);
      std::this_thread::sleep_for(2ms);
    }
  });
  // c. an allowed client sending 1 MiB frames (max_message_size is 4096)
  attackers.emplace_back([&] {
    std::mt19937_64 rng(2);
    auto insider = keys.client_keys("insider");
    auto s = raw_curve_dealer(raw, server_key, insider.public_part(), insider.secret_part().data());
    s.connect(endpoint);
    auto const big = random_bytes(1 << 20, rng);
    while (attacking()) {
      if (send_request(s, {big})) ++sent.oversized;
      else std::this_thread::sleep_for(1ms);
    }
  });
  // d. an allowed, known signer sending unsigned garbage and signed garbage
  attackers.emplace_back([&] {
    std::mt19937_64 rng(3);
    auto insider = keys.client_keys("insider");
    zg::signer<zg::ed25519> signer(keys.client_signing("insider"));
    auto s = raw_curve_dealer(raw, server_key, insider.public_part(), insider.secret_part().data());
    s.connect(endpoint);
    while (attacking()) {
      auto junk = random_bytes(1 + rng() % 200, rng);
      bool const ok = (sent.garbage % 2) ? send_request(s, sealed_request(signer, junk)) : send_request(s, {junk});
      if (ok) ++sent.garbage;
      else std::this_thread::sleep_for(1ms);
      drain(s);
    }
  });
  // e. forged signatures: an unknown signer, and one claiming a legit key id
  attackers.emplace_back([&] {
    auto forger = keys.client_keys("forger");
    zg::signer<zg::ed25519> outsider(zg::signing_key<zg::ed25519>::generate());
    auto const victim = keys.client_signing("legit-0").id();
    auto s = raw_curve_dealer(raw, server_key, forger.public_part(), forger.secret_part().data());
    s.connect(endpoint);
    auto const payload = zg::encode(task{0, 1, "transfer everything"});
    while (attacking()) {
      auto frames = sealed_request(outsider, payload);
      if (sent.forged % 2) std::copy(victim.bytes.begin(), victim.bytes.end(), frames[0].begin() + 2);
      if (send_request(s, frames)) ++sent.forged;
      else std::this_thread::sleep_for(1ms);
      drain(s);
    }
  });
  // Memory sampled while the attack runs.
  std::atomic<long> sampled_peak{0};
  std::jthread sampler([&](std::stop_token st) {
    while (!st.stop_requested() && steady::now() < attack_end) {
      sampled_peak = std::max(sampled_peak.load(), read_rss(server.pid()).now_kib);
      std::this_thread::sleep_for(20ms);
    }
  });
  std::this_thread::sleep_for(1s);  // attackers at full speed before the clients start
  auto const attack_start = steady::now();
  run_clients(loaded, legit_calls, attack_window);
  auto const attack_seconds = std::chrono::duration<double>(steady::now() - attack_start).count();
  stop = true;
  attackers.clear();
  sampler.request_stop();
  sampler.join();
  auto const after = read_rss(server.pid());
  REQUIRE(WIFEXITED(server.stop(SIGTERM)));
  auto const counters = read_counters(dir.path / "server.out");
  auto counter = [&](std::string const& n) { return counters.count(n) ? counters.at(n) : 0; };

  // The bound the declared limits imply: per connection, both queues full of
  // maximum-size messages plus 1 MiB of libzmq/CURVE buffers; 10 connections
  // (4 clients, 5 attackers, one spare); 32 MiB of allocator slack. Without
  // max_message_size one 1 MiB-frame attacker alone could queue recv_hwm MiB.
  constexpr long connections = 10;
  constexpr long per_connection_kib = long(2 * service_hwm * service_max_message / 1024) + 1024;
  long const bound_kib = baseline.now_kib + connections * per_connection_kib + 32 * 1024;
  long const peak_kib = std::max(after.peak_kib, sampled_peak.load());

  figure("flood.attack_seconds ", attack_seconds);
  figure("flood.sent handshakes=", sent.handshakes, " tcp_garbage=", sent.tcp_garbage, " oversized=", sent.oversized,
         " garbage=", sent.garbage, " forged=", sent.forged);
  figure("flood.legit calls=", issued.load(), " answered=", answered.load(), " lost=", lost.load(),
         " retries=", ctx.events().count("req.timeout"));
  figure("flood.latency_us quiet p50=", quiet.percentile(50), " p99=", quiet.percentile(99),
         " | attacked p50=", loaded.percentile(50), " p99=", loaded.percentile(99), " max=", loaded.percentile(100));
  figure("flood.server_rss_kib baseline=", baseline.now_kib, " peak=", peak_kib, " bound=", bound_kib);
  std::string refused;
  for (auto const& [name, value] : counters) refused += " " + name + "=" + std::to_string(value);
  figure("flood.server_events", refused);

  CHECK(lost == 0);
  CHECK(answered == issued);
  CHECK(issued >= std::uint64_t(legit_clients * (50 + legit_calls)));
  CHECK(counter("served") == 0);  // "served" is printed on its own line, not a counter
  CHECK(peak_kib <= bound_kib);
  // Every kind of attack reached the server and was refused and counted.
  CHECK(counter("zap.deny") > 0);
  CHECK(counter("handshake.failed_auth") > 0);
  CHECK(counter("peer.disconnected") > 0);  // oversized frames and garbage cut their connections
  CHECK(counter("verify.malformed") > 0);
  CHECK(counter("message.refused") + counter("rate.limited") > 0);
  CHECK(counter("verify.unknown_key") > 0);
  CHECK(counter("verify.bad_signature") > 0);
  CHECK(sent.oversized > 0);
}

}  // namespace reliability
