// Pub/sub through a server process, next to the system users compare us
// with: nats-server (TLS with client certificates, per-user publish and
// subscribe permissions) and its C client, against zguard's authorized
// CURVE forwarder (XSUB front, XPUB back, both CURVE servers enforcing a
// permission set; zguard::proxy between them), in one run, rounds
// alternating. Encryption and authentication are on at both ends of both.
// The publisher may publish quotes.> on both; NATS's subscriber may
// subscribe to quotes.>, zguard's to > (a forwarder's back lets in only
// subscribers allowed every topic: libzmq 4.3.4 cannot judge one
// subscription at a time safely, docs/threat-model.md G18).
//
// usage: bench_broker [scale=1] [rounds=5] [filter] [--json]
// Messages per run: 200 000 at 64 B, 100 000 at 1 KiB, 4 000 at 64 KiB, times
// scale (a number > 0). filter: run only the cases whose name contains it
// (e.g. "batched/1024"). With --json: one line per case, raw = NATS msgs/s,
// zguard = zguard msgs/s, ratio = zguard / raw.
//
// Cases, each at 64 B, 1 KiB and 64 KiB (the payload's size; a zguard
// message is a typed topic<"quotes.eur", blob> message of that encoded
// size, a NATS message that many bytes on subject quotes.eur):
//   broker/unbatched   one typed message a frame
//   broker/batched     batched<256, 5>
//   broker/coalesced   coalesced<256, 50>: at once when idle, packed under load
//   broker/signed      batched<256, 5>, Ed25519-signed (NATS unsigned)
// A run: the subscriber is connected and has received a warm-up message;
// the publisher sends flat out; the rate is the messages received over the
// time from the first send to the last receipt. A run that loses messages
// (a slow consumer, an HWM) is marked "short" and counts what arrived.
// And latency at a steady 10 000 msgs/s of 64 B for 2 s (times scale),
// p50 and p99 from the median round, each message's time from just before
// its send to its receipt (one process, one clock):
//   latency/unbatched, latency/coalesced   zguard next to NATS
// The paced publisher calls flush_if_due() while it waits for the next
// message's time, as an application's loop would.
#include <zguard/zguard.hpp>

#include "bench_support.hpp"
#include "tls_certs.hpp"

#include <nats/nats.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#ifndef ZGUARD_NATS_SERVER
#define ZGUARD_NATS_SERVER "/usr/sbin/nats-server"
#endif

namespace zg = zguard;
namespace fs = std::filesystem;

namespace {

using bench_support::median;
using bench_support::steady;
bool json = false;
std::string filter;

using bench = zg::domain<"bench">;
struct blob {
  ZGUARD_SCHEMA("bench.blob", 1);
  BOOST_HANA_DEFINE_STRUCT(blob, (std::uint32_t, seq), (zg::bounded_bytes<65536>, data));
};
using feed = zg::topic<"quotes.eur", blob>;
constexpr int batch_n = 256;
constexpr int hwm = 250000;  // above every run's count: nothing is dropped at an HWM
using L = zg::limits<zg::send_hwm<hwm>, zg::recv_hwm<hwm>, zg::drop_when_full, zg::max_message_size<(1 << 25)>,
                     zg::linger_ms<0>, zg::send_timeout_ms<1000>, zg::recv_timeout_ms<1000>,
                     zg::handshake_timeout_ms<5000>>;
using batching = zg::batched<batch_n, 5>;
using coalescing = zg::coalesced<batch_n, 50>;
using front_t = zg::socket<bench, zg::tcp, zg::xsub, zg::curve_server, L, zg::authorized>;
using back_t = zg::socket<bench, zg::tcp, zg::xpub, zg::curve_server, L, zg::authorized>;

// The blob whose encoding is `encoded` bytes (header, seq, length prefix, data).
blob make_blob(std::uint32_t seq, std::size_t encoded) {
  static std::size_t const overhead = zg::encode(blob{}).size();
  blob b{};
  b.seq = seq;
  b.data = std::vector<std::uint8_t>(encoded - overhead, 0x5a);
  return b;
}

struct outcome {
  double rate = 0;
  int got = 0;
};

// Latency at a steady rate: each message carries the time it was sent.
struct latency {
  double p50_us = 0, p99_us = 0;
  int got = 0;
};
constexpr int paced_rate = 10000;  // msgs/s
latency summarize(std::vector<double> lat_us) {
  if (lat_us.empty()) return {};
  std::sort(lat_us.begin(), lat_us.end());
  auto pct = [&](double p) { return lat_us[std::size_t(p * double(lat_us.size() - 1))]; };
  return {pct(0.50), pct(0.99), int(lat_us.size())};
}
void stamp(std::uint8_t* at) {
  auto const t = steady::now().time_since_epoch().count();
  std::memcpy(at, &t, sizeof t);
}
double age_us(std::uint8_t const* at) {
  steady::rep t = 0;
  std::memcpy(&t, at, sizeof t);
  return std::chrono::duration<double, std::micro>(steady::now().time_since_epoch() - steady::duration(t)).count();
}

// --- zguard: PUB -> authorized CURVE forwarder -> SUB ----------------------------

enum class mode { unbatched, batched, coalesced, signed_batched };

template <mode M>
struct zguard_types {
  using pub_t = zg::socket<bench, zg::tcp, zg::pub, zg::curve_client, L, feed>;
  using sub_t = zg::socket<bench, zg::tcp, zg::sub, zg::curve_client, L, feed>;
};
template <>
struct zguard_types<mode::batched> {
  using pub_t = zg::socket<bench, zg::tcp, zg::pub, zg::curve_client, L, feed, batching>;
  using sub_t = zg::socket<bench, zg::tcp, zg::sub, zg::curve_client, L, feed, batching>;
};
template <>
struct zguard_types<mode::coalesced> {
  using pub_t = zg::socket<bench, zg::tcp, zg::pub, zg::curve_client, L, feed, coalescing>;
  using sub_t = zg::socket<bench, zg::tcp, zg::sub, zg::curve_client, L, feed, coalescing>;
};
template <>
struct zguard_types<mode::signed_batched> {
  using pub_t = zg::socket<bench, zg::tcp, zg::pub, zg::curve_client, L, feed, zg::signing<zg::ed25519>, batching>;
  using sub_t = zg::socket<bench, zg::tcp, zg::sub, zg::curve_client, L, feed, zg::signing<zg::ed25519>, batching>;
};

// Sets up publisher, forwarder and subscriber, warms them up, and runs
// measure(pub, sub).
template <mode M, class Measure>
auto zguard_session(std::size_t size, Measure measure) {
  using pub_t = typename zguard_types<M>::pub_t;
  using sub_t = typename zguard_types<M>::sub_t;
  zg::context<bench> ctx([](zg::security_event const&) {});
  zg::authenticator<bench> auth(ctx);
  auto const front_keys = zg::keypair::generate(), back_keys = zg::keypair::generate();
  auto const pub_keys = zg::keypair::generate(), sub_keys = zg::keypair::generate();
  zg::permissions perms(zg::permission_set::parse("key " + pub_keys.public_part().z85() + " publish allow quotes.>\n" +
                                                      "key " + sub_keys.public_part().z85() +
                                                      " subscribe allow >\n",
                                                  "bench"));
  auth.allow(pub_keys.public_part());
  auth.allow(sub_keys.public_part());
  front_t front(ctx, auth, front_keys, perms);
  back_t back(ctx, auth, back_keys, perms);
  auto const front_ep = front.bind("tcp://127.0.0.1:*").address;
  auto const back_ep = back.bind("tcp://127.0.0.1:*").address;
  zg::proxy<front_t, back_t> forwarder(ctx, front, back);

  auto signer = zg::signing_key<zg::ed25519>::generate();
  zg::verify_keys<zg::ed25519> trusted;
  trusted.add(signer.verify_part());
  std::optional<pub_t> pub_slot;
  std::optional<sub_t> sub_slot;
  if constexpr (M == mode::signed_batched) {
    pub_slot.emplace(ctx, pub_keys, front_keys.public_part(), signer);
    sub_slot.emplace(ctx, sub_keys, back_keys.public_part(), trusted);
  } else {
    pub_slot.emplace(ctx, pub_keys, front_keys.public_part());
    sub_slot.emplace(ctx, sub_keys, back_keys.public_part());
  }
  auto& pub = *pub_slot;
  auto& sub = *sub_slot;
  sub.connect(back_ep);
  pub.connect(front_ep);

  auto const warm = make_blob(0, size);
  auto const warm_until = steady::now() + std::chrono::seconds(30);
  zg::inbox<blob> in;
  bool warmed = false;
  while (!warmed && steady::now() < warm_until) {
    (void)pub.send(warm);
    if constexpr (M != mode::unbatched) (void)pub.flush();
    warmed = sub.receive(in);
  }
  while (sub.receive(in)) {  // the rest of the warm-up (a second of silence ends it)
  }
  return measure(pub, sub);
}

template <mode M, class Pub, class Sub>
outcome flat_out(Pub& pub, Sub& sub, int n, std::size_t size) {
  std::atomic<int> got = 0;
  steady::time_point last;
  std::thread receiver([&] {
    zg::inbox<blob> msg;
    while (got < n) {
      if (!sub.receive(msg)) break;  // a second of silence: the rest was lost
      if (msg.value().seq > 0) ++got, last = steady::now();
    }
  });
  auto m = make_blob(1, size);
  auto const t0 = steady::now();
  for (int i = 1; i <= n; ++i) {
    m.seq = std::uint32_t(i);
    (void)pub.send(m);
  }
  if constexpr (M != mode::unbatched) (void)pub.flush();
  receiver.join();
  int const g = got;
  return {g ? g / std::chrono::duration<double>(last - t0).count() : 0.0, g};
}

template <mode M>
outcome zguard_run(int n, std::size_t size) {
  return zguard_session<M>(size, [&](auto& pub, auto& sub) { return flat_out<M>(pub, sub, n, size); });
}

// n messages at paced_rate; the latency of each that arrives.
template <mode M>
latency zguard_paced(int n, std::size_t size) {
  return zguard_session<M>(size, [&](auto& pub, auto& sub) {
    std::vector<double> lat;
    lat.reserve(std::size_t(n));
    std::thread receiver([&] {
      zg::inbox<blob> msg;
      while (int(lat.size()) < n) {
        if (!sub.receive(msg)) break;  // a second of silence: the rest was lost
        if (msg.value().seq > 0) lat.push_back(age_us(msg.value().data.bytes().data()));
      }
    });
    auto m = make_blob(1, size);
    auto filler = m.data.bytes();
    auto const t0 = steady::now();
    for (int i = 1; i <= n; ++i) {
      auto const at = t0 + std::chrono::nanoseconds(std::int64_t(i) * 1'000'000'000 / paced_rate);
      while (steady::now() < at)
        if constexpr (M != mode::unbatched) (void)pub.flush_if_due();
      m.seq = std::uint32_t(i);
      stamp(filler.data());
      m.data.assign(filler.data(), filler.size());
      (void)pub.send(m);
    }
    if constexpr (M != mode::unbatched) (void)pub.flush();
    receiver.join();
    return summarize(std::move(lat));
  });
}

// --- NATS: nats-server with TLS (client certificates) and per-user permissions ----

void check(natsStatus s, char const* what) {
  if (s != NATS_OK) {
    std::fprintf(stderr, "bench_broker: %s: %s\n", what, natsStatus_GetText(s));
    nats_PrintLastErrorStack(stderr);
    std::exit(2);
  }
}

int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
    std::perror("bench_broker: free port");
    std::exit(2);
  }
  ::close(fd);
  return ntohs(a.sin_port);
}

// A nats-server of our own, on a free loopback port, with a CA, a server
// certificate and a client certificate (tls_certs.hpp), and two users: "pub"
// may publish quotes.>, "sub" may subscribe to it. Stopped (SIGTERM) when
// destroyed.
class nats_server {
 public:
  nats_server() {
    auto const d = certs_.dir().string();
    port_ = free_port();
    std::ofstream(certs_.dir() / "nats.conf")
        << "listen: 127.0.0.1:" << port_ << "\n"
        << "max_payload: 1048576\nmax_pending: 1073741824\nwrite_deadline: \"30s\"\n"
        << "tls {\n  cert_file: \"" << d << "/server.pem\"\n  key_file: \"" << d << "/server.key\"\n"
        << "  ca_file: \"" << d << "/ca.pem\"\n  verify: true\n  timeout: 5\n}\n"
        << "authorization {\n  users = [\n"
        << "    { user: pub, password: \"pub-secret\", permissions: { publish: \"quotes.>\", subscribe: \"_INBOX.>\" } }\n"
        << "    { user: sub, password: \"sub-secret\", permissions: { publish: \"_INBOX.>\", subscribe: \"quotes.>\" } }\n"
        << "  ]\n}\n";
    pid_ = ::fork();
    if (pid_ == 0) {
      auto const log = d + "/nats.log";
      if (!std::freopen(log.c_str(), "w", stdout) || !std::freopen(log.c_str(), "a", stderr)) ::_exit(127);
      ::execl(ZGUARD_NATS_SERVER, "nats-server", "-c", (d + "/nats.conf").c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    // Up when a client gets in (bounded: 10 s).
    for (int i = 0; i < 200; ++i) {
      natsConnection* c = nullptr;
      if (connect("sub", &c) == NATS_OK) {
        natsConnection_Destroy(c);
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    std::fprintf(stderr, "bench_broker: nats-server did not start (%s/nats.log)\n", d.c_str());
    std::exit(2);
  }
  ~nats_server() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  natsStatus connect(std::string const& user, natsConnection** out) const {
    natsOptions* o = nullptr;
    auto const d = certs_.dir().string();
    natsStatus s = natsOptions_Create(&o);
    if (s == NATS_OK) s = natsOptions_SetURL(o, ("tls://127.0.0.1:" + std::to_string(port_)).c_str());
    if (s == NATS_OK) s = natsOptions_SetSecure(o, true);
    if (s == NATS_OK) s = natsOptions_LoadCATrustedCertificates(o, (d + "/ca.pem").c_str());
    if (s == NATS_OK) s = natsOptions_LoadCertificatesChain(o, (d + "/client.pem").c_str(), (d + "/client.key").c_str());
    if (s == NATS_OK) s = natsOptions_SetUserInfo(o, user.c_str(), (user + "-secret").c_str());
    if (s == NATS_OK) s = natsOptions_SetIOBufSize(o, 1 << 20);
    if (s == NATS_OK) s = natsConnection_Connect(out, o);
    natsOptions_Destroy(o);
    return s;
  }

 private:
  bench_support::tls_certs certs_;
  int port_ = 0;
  pid_t pid_ = -1;
};

struct nats_counter {
  std::atomic<int> got{0};
  std::atomic<bool> warm{false};
  steady::time_point last;
  std::vector<double>* latencies = nullptr;  // paced runs: each message's age
};

// A NATS message: seq (4 bytes), on a paced run its send time (8), filler.
void on_message(natsConnection*, natsSubscription*, natsMsg* msg, void* closure) {
  auto& c = *static_cast<nats_counter*>(closure);
  std::uint32_t seq = 0;
  if (natsMsg_GetDataLength(msg) >= 12) std::memcpy(&seq, natsMsg_GetData(msg), 4);
  if (seq == 0) {
    c.warm = true;
  } else {
    if (c.latencies) c.latencies->push_back(age_us(reinterpret_cast<std::uint8_t const*>(natsMsg_GetData(msg)) + 4));
    ++c.got, c.last = steady::now();
  }
  natsMsg_Destroy(msg);
}

// Connects publisher and subscriber, warms them up, runs
// measure(pub, data, counter) and waits until all n arrived, or a second
// passes with none (bounded: 60 s).
template <class Measure>
void nats_session(nats_server const& server, int n, std::size_t size, nats_counter& counter, Measure measure) {
  natsConnection *pub = nullptr, *subc = nullptr;
  check(server.connect("sub", &subc), "connect sub");
  check(server.connect("pub", &pub), "connect pub");
  natsSubscription* sub = nullptr;
  check(natsConnection_Subscribe(&sub, subc, "quotes.eur", on_message, &counter), "subscribe");
  check(natsSubscription_SetPendingLimits(sub, -1, -1), "pending limits");
  check(natsConnection_Flush(subc), "flush sub");
  std::vector<char> data(size, 0x5a);
  std::uint32_t seq = 0;
  auto const warm_until = steady::now() + std::chrono::seconds(30);
  while (!counter.warm && steady::now() < warm_until) {
    std::memcpy(data.data(), &seq, 4);
    check(natsConnection_Publish(pub, "quotes.eur", data.data(), int(size)), "publish");
    check(natsConnection_Flush(pub), "flush");
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  measure(pub, data);
  check(natsConnection_FlushTimeout(pub, 60000), "flush");
  auto const give_up = steady::now() + std::chrono::seconds(60);
  int seen = -1;
  auto quiet_since = steady::now();
  while (counter.got < n && steady::now() < give_up) {
    if (counter.got != seen) seen = counter.got, quiet_since = steady::now();
    else if (steady::now() - quiet_since > std::chrono::seconds(1)) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  natsSubscription_Unsubscribe(sub);
  natsSubscription_Destroy(sub);
  natsConnection_Destroy(pub);
  natsConnection_Destroy(subc);
}

outcome nats_run(nats_server const& server, int n, std::size_t size) {
  nats_counter counter;
  steady::time_point t0;
  nats_session(server, n, size, counter, [&](natsConnection* pub, std::vector<char>& data) {
    t0 = steady::now();
    for (int i = 1; i <= n; ++i) {
      auto const seq = std::uint32_t(i);
      std::memcpy(data.data(), &seq, 4);
      check(natsConnection_Publish(pub, "quotes.eur", data.data(), int(size)), "publish");
    }
  });
  int const g = counter.got;
  return {g ? g / std::chrono::duration<double>(counter.last - t0).count() : 0.0, g};
}

latency nats_paced(nats_server const& server, int n, std::size_t size) {
  nats_counter counter;
  std::vector<double> lat;
  lat.reserve(std::size_t(n));
  counter.latencies = &lat;
  nats_session(server, n, size, counter, [&](natsConnection* pub, std::vector<char>& data) {
    auto const t0 = steady::now();
    for (int i = 1; i <= n; ++i) {
      auto const at = t0 + std::chrono::nanoseconds(std::int64_t(i) * 1'000'000'000 / paced_rate);
      while (steady::now() < at) {
      }
      auto const seq = std::uint32_t(i);
      std::memcpy(data.data(), &seq, 4);
      stamp(reinterpret_cast<std::uint8_t*>(data.data()) + 4);
      check(natsConnection_Publish(pub, "quotes.eur", data.data(), int(size)), "publish");
    }
  });
  return summarize(std::move(lat));
}

// --- the cases ----------------------------------------------------------------------

template <mode M>
void run_case(char const* name, nats_server const& server, std::size_t size, int n, int rounds) {
  std::string const full = std::string("broker/") + name + "/" + std::to_string(size);
  if (!filter.empty() && full.find(filter) == std::string::npos) return;
  std::vector<double> ours, theirs;
  int ours_got = n, theirs_got = n;
  for (int r = 0; r < rounds; ++r) {
    auto one_nats = [&] {
      auto o = nats_run(server, n, size);
      theirs.push_back(o.rate);
      theirs_got = std::min(theirs_got, o.got);
    };
    auto one_zguard = [&] {
      auto o = zguard_run<M>(n, size);
      ours.push_back(o.rate);
      ours_got = std::min(ours_got, o.got);
    };
    if (r % 2 == 0) one_nats(), one_zguard();
    else one_zguard(), one_nats();
  }
  double const raw = median(theirs), zguard = median(ours);
  if (json) {
    bench_support::json_row()
        .compare(full, size, raw, zguard)
        .str("unit", "msgs/s")
        .integer("messages", n)
        .integer("runs", rounds)
        .integer("raw_got", theirs_got)
        .integer("zguard_got", ours_got)
        .str("raw_is", "nats-server, TLS client certificates, per-user permissions, nats.c")
        .print();
  } else {
    std::printf("%-28s %8d %14.0f%s %14.0f%s %8.2f\n", full.c_str(), n, raw, theirs_got < n ? " (short)" : "", zguard,
                ours_got < n ? " (short)" : "", zguard / raw);
    std::fflush(stdout);
  }
}

template <mode M>
void run_paced(char const* name, nats_server const& server, std::size_t size, int n, int rounds) {
  std::string const full = std::string("latency/") + name + "/" + std::to_string(size);
  if (!filter.empty() && full.find(filter) == std::string::npos) return;
  std::vector<latency> ours, theirs;
  for (int r = 0; r < rounds; ++r) {
    if (r % 2 == 0) theirs.push_back(nats_paced(server, n, size)), ours.push_back(zguard_paced<M>(n, size));
    else ours.push_back(zguard_paced<M>(n, size)), theirs.push_back(nats_paced(server, n, size));
  }
  // The median round by p99.
  auto mid = [](std::vector<latency> v) {
    std::sort(v.begin(), v.end(), [](latency const& a, latency const& b) { return a.p99_us < b.p99_us; });
    return v[v.size() / 2];
  };
  auto const raw = mid(theirs), z = mid(ours);
  if (json) {
    bench_support::json_row()
        .str("name", full)
        .integer("bytes", static_cast<long long>(size))
        .str("unit", "us")
        .integer("rate", paced_rate)
        .integer("messages", n)
        .integer("runs", rounds)
        .num("raw_p50_us", raw.p50_us)
        .num("raw_p99_us", raw.p99_us)
        .num("zguard_p50_us", z.p50_us)
        .num("zguard_p99_us", z.p99_us)
        .integer("raw_got", raw.got)
        .integer("zguard_got", z.got)
        .str("raw_is", "nats-server, TLS client certificates, per-user permissions, nats.c")
        .print();
  } else {
    std::printf("%-28s %8d  p50 %7.1f / %7.1f us   p99 %7.1f / %7.1f us (NATS / zguard)%s\n", full.c_str(), n,
                raw.p50_us, z.p50_us, raw.p99_us, z.p99_us, raw.got < n || z.got < n ? " (short)" : "");
    std::fflush(stdout);
  }
}

}  // namespace

int main(int argc, char** argv) {
  json = bench_support::take_json_flag(argc, argv);
  double const scale = argc > 1 ? std::atof(argv[1]) : 1.0;
  int const rounds = argc > 2 ? std::atoi(argv[2]) : 5;
  if (argc > 3) filter = argv[3];
  if (!(scale > 0) || rounds < 1) {
    std::fprintf(stderr, "usage: bench_broker [scale=1] [rounds=5] [filter] [--json]\n");
    return 2;
  }
  check(nats_Open(-1), "nats_Open");
  {
    nats_server server;
    if (!json)
      std::printf("%-28s %8s %14s %14s %8s\n", "case", "msgs", "NATS msgs/s", "zguard msgs/s", "ratio");
    struct sized {
      std::size_t size;
      int count;
    };
    for (auto [size, count] : {sized{64, 200000}, sized{1024, 100000}, sized{65536, 4000}}) {
      int const n = std::max(1, int(count * scale));
      run_case<mode::unbatched>("unbatched", server, size, n, rounds);
      run_case<mode::batched>("batched", server, size, n, rounds);
      run_case<mode::coalesced>("coalesced", server, size, n, rounds);
      run_case<mode::signed_batched>("signed", server, size, n, rounds);
    }
    int const paced = std::max(1, int(2 * paced_rate * scale));
    run_paced<mode::unbatched>("unbatched", server, 64, paced, rounds);
    run_paced<mode::coalesced>("coalesced", server, 64, paced, rounds);
  }
  nats_Close();
  return 0;
}
