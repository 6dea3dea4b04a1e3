// One-way throughput: typed PUSH/PULL (stream<blob>) and typed PUB/SUB
// (topic<"bench", blob>) next to raw cppzmq sockets sending the same bytes
// (raw PUB/SUB sends the topic frame and the payload frame, like the typed
// one), over inproc, ipc, tcp (insecure<"benchmark">, NULL) and tcp+CURVE,
// at 64 B, 1 KiB and 64 KiB (encoded message size), in the same run.
// push_pull_batched: a typed batched<64, 5> stream (up to 64 messages a
// frame) next to raw cppzmq sending one frame per message, 64 B and 1 KiB.
// push_pull_shared, pub_sub_shared: the same bytes with a shared_bytes
// payload, which the receiver decodes by sharing the frame (no copy).
// push_pull_1thread, push_pull_shared_1thread (inproc): sender and receiver
// in one thread, in bursts of 1 000: each message's CPU cost on both sides,
// without the scheduling of two threads on two cores.
//
// usage: bench_throughput [messages=200000] [rounds=5] [filter] [--json]
//   messages: per run at 64 B; 1 KiB runs send messages/2, 64 KiB runs
//   messages/50 (at least 100). filter: run only cases whose name
//   (pattern/transport/bytes, e.g. "push_pull/ipc") contains it.
// Raw and zguard runs alternate, `rounds` times each; prints the median
// rate (msgs/s at the receiver, first send to last delivery) of each and
// the ratio zguard / raw (1.00 = no overhead), with the fewest messages a
// run delivered (PUB drops at its HWM; the HWMs here exceed the counts, so
// a shortfall means something went wrong).
#include <zguard/zguard.hpp>

#include "bench_support.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace zg = zguard;

namespace {

using bench = zg::domain<"bench">;
struct blob {
  ZGUARD_SCHEMA("bench.blob", 1);
  BOOST_HANA_DEFINE_STRUCT(blob, (std::uint32_t, seq), (zg::bounded_bytes<65536>, data));
};
using flow = zg::stream<blob>;
using feed = zg::topic<"bench", blob>;
// The same bytes on the wire; decoded by sharing the received frame.
struct shared_blob {
  ZGUARD_SCHEMA("bench.blob", 1);
  BOOST_HANA_DEFINE_STRUCT(shared_blob, (std::uint32_t, seq), (zg::shared_bytes<65536>, data));
};
using shared_flow = zg::stream<shared_blob>;
using shared_feed = zg::topic<"bench", shared_blob>;
// Batched streams carry up to 1 KiB messages (a full batch must fit max_message_size).
struct small_blob {
  ZGUARD_SCHEMA("bench.blob", 1);
  BOOST_HANA_DEFINE_STRUCT(small_blob, (std::uint32_t, seq), (zg::bounded_bytes<1024>, data));
};
constexpr int batch_n = 64;
using batched_flow = zg::stream<small_blob>;

constexpr int hwm = 500000;          // above every message count: PUB should drop nothing
constexpr int max_size = 66000;      // the largest blob encodes to 65 536 + a few bytes
constexpr int poll_ms = 100;         // receive timeout; a run ends on silence only after the last send
constexpr double give_up_s = 60.0;   // bound on one run, whatever happens
using block_limits = zg::limits<zg::send_hwm<hwm>, zg::recv_hwm<hwm>, zg::block_when_full,
                                zg::max_message_size<max_size>, zg::linger_ms<0>, zg::send_timeout_ms<5000>,
                                zg::recv_timeout_ms<poll_ms>, zg::handshake_timeout_ms<5000>>;
using batch_limits = zg::limits<zg::send_hwm<hwm>, zg::recv_hwm<hwm>, zg::block_when_full,
                                zg::max_message_size<(1 << 20)>, zg::linger_ms<0>, zg::send_timeout_ms<5000>,
                                zg::recv_timeout_ms<poll_ms>, zg::handshake_timeout_ms<5000>>;
using drop_limits = zg::limits<zg::send_hwm<hwm>, zg::recv_hwm<hwm>, zg::drop_when_full,
                               zg::max_message_size<max_size>, zg::linger_ms<0>, zg::send_timeout_ms<5000>,
                               zg::recv_timeout_ms<poll_ms>, zg::handshake_timeout_ms<5000>>;

using bench_support::fresh_ipc;
using bench_support::median;
using bench_support::seconds_since;
using bench_support::steady;

enum class via { inproc, ipc, tcp, curve };
char const* name_of(via v) {
  switch (v) {
    case via::inproc: return "inproc";
    case via::ipc: return "ipc";
    case via::tcp: return "tcp";
    case via::curve: return "tcp+curve";
  }
  return "?";
}

// Transport and mechanisms of each case, for the typed sockets.
template <via V>
struct kinds {
  using T = zg::inproc;
  using server = zg::null_mechanism;
  using client = zg::null_mechanism;
};
template <>
struct kinds<via::ipc> {
  using T = zg::ipc;
  using server = zg::null_mechanism;
  using client = zg::null_mechanism;
};
template <>
struct kinds<via::tcp> {
  using T = zg::tcp;
  using server = zg::insecure<"benchmark">;
  using client = zg::insecure<"benchmark">;
};
template <>
struct kinds<via::curve> {
  using T = zg::tcp;
  using server = zg::curve_server;
  using client = zg::curve_client;
};

struct keys {
  zg::keypair server = zg::keypair::generate();
  zg::keypair client = zg::keypair::generate();
};

// The blob whose encoding is `size` bytes, and where seq sits in it.
std::size_t encoding_overhead() { return zg::encode(blob{}).size(); }
template <class B = blob>
B make_blob(std::uint32_t seq, std::size_t size) {
  B b{};
  b.seq = seq;
  std::vector<std::uint8_t> const data(size - encoding_overhead(), 0x5a);
  b.data.assign(data.data(), data.size());
  return b;
}
std::size_t seq_offset() {
  auto a = zg::encode(make_blob(0, 64)), b = zg::encode(make_blob(0xffffffffu, 64));
  return std::size_t(std::mismatch(a.begin(), a.end(), b.begin()).first - a.begin());
}
bool counted(zmq::message_t const& m, std::size_t off) {  // seq 0 marks warm-up messages
  std::uint32_t seq = 0;
  if (m.size() < off + 4) return false;
  std::memcpy(&seq, static_cast<char const*>(m.data()) + off, 4);
  return seq != 0;
}

struct outcome {
  double rate = 0;
  int got = 0;
};

// Sends warm-up messages until one arrives (handshake done, subscription
// live); false after give_up_s.
template <class Send, class Recv>
bool warmed_up(Send& send, Recv& recv) {
  auto const w0 = steady::now();
  while (seconds_since(w0) <= give_up_s) {
    (void)send(0);
    for (int r; (r = recv()) != -1;)
      if (r >= 0) return true;
  }
  return false;
}

// send(i) sends message i (0: warm-up); recv() returns 1 for a counted
// message, 0 for a warm-up one, -1 on timeout. Warms up until a message
// goes through (handshake done, subscription live), then times n messages
// from the first send to the last delivery at a receiving thread.
template <class Send, class Recv>
outcome drive(int n, Send&& send, Recv&& recv) {
  if (!warmed_up(send, recv)) return {};
  std::atomic<bool> sent_all = false;
  int got = 0;
  auto const t0 = steady::now();
  auto last = t0;
  std::thread receiver([&] {
    while (got < n) {
      int const r = recv();
      if (r > 0) ++got, last = steady::now();
      else if (r < 0 && (sent_all || seconds_since(t0) > give_up_s)) break;
    }
  });
  for (int i = 1; i <= n; ++i)
    if (!send(std::uint32_t(i))) break;
  sent_all = true;
  receiver.join();
  double const s = std::chrono::duration<double>(last - t0).count();
  return {got && s > 0 ? got / s : 0, got};
}

// One thread: bursts of `burst` messages sent, then received, until n went
// through (inproc only: no I/O thread). No hand-off between threads and no
// wake-ups, so the rate is the CPU cost of a message on both sides: what
// the threaded cases measure with the scheduling of two cores on top.
constexpr int burst = 1000;  // below every HWM: a burst never blocks
template <class Send, class Recv>
outcome drive_one_thread(int n, Send&& send, Recv&& recv) {
  if (!warmed_up(send, recv)) return {};
  int got = 0;
  auto const t0 = steady::now();
  for (int sent = 0; sent < n;) {
    int const k = std::min(burst, n - sent);
    for (int i = 1; i <= k; ++i)
      if (!send(std::uint32_t(sent + i))) return {0, got};
    sent += k;
    for (int i = 0; i < k; ++i) {
      int const r = recv();
      if (r < 0) return {0, got};
      got += r;
    }
  }
  return {got / seconds_since(t0), got};
}
template <class Send, class Recv>
outcome drive_by(bool one_thread, int n, Send&& send, Recv&& recv) {
  return one_thread ? drive_one_thread(n, send, recv) : drive(n, send, recv);
}

// --- zguard: typed sockets --------------------------------------------------

template <via V, class S>
auto bind_somewhere(S& s) {
  static int n = 0;
  if constexpr (V == via::inproc)
    return s.bind(zg::endpoint<zg::inproc, bench>("inproc://typed" + std::to_string(++n)));
  else if constexpr (V == via::ipc) return s.bind(fresh_ipc("typed"));
  else return s.bind("tcp://127.0.0.1:*");
}

template <via V, class P, class L, class C, class... Extra>
using server_socket = zg::socket<bench, typename kinds<V>::T, P, typename kinds<V>::server, L, C, Extra...>;
template <via V, class P, class L, class C, class... Extra>
using client_socket = zg::socket<bench, typename kinds<V>::T, P, typename kinds<V>::client, L, C, Extra...>;

// The bound side is the CURVE server: PULL for PUSH/PULL, PUB for PUB/SUB.
template <via V, class BoundP, class ConnectedP, class L, class C, class... Extra, class Run>
outcome with_typed(keys const& k, Run&& run) {
  zg::context<bench> ctx([](zg::security_event const&) {});
  std::optional<zg::authenticator<bench>> auth;
  using server_t = server_socket<V, BoundP, L, C, Extra...>;
  using client_t = client_socket<V, ConnectedP, L, C, Extra...>;
  auto server = [&]() -> server_t {
    if constexpr (V == via::curve) {
      auth.emplace(ctx);
      auth->allow(k.client.public_part());
      return server_t(ctx, *auth, k.server);
    } else {
      return server_t(ctx);
    }
  }();
  auto client = [&]() -> client_t {
    if constexpr (V == via::curve) return client_t(ctx, k.client, k.server.public_part());
    else return client_t(ctx);
  }();
  client.connect(bind_somewhere<V>(server));
  return run(server, client);
}

template <via V, class Flow = flow>
outcome typed_push_pull(int n, std::size_t size, keys const& k, bool one_thread = false) {
  return with_typed<V, zg::pull, zg::push, block_limits, Flow>(k, [&](auto& pull, auto& push) {
    auto msg = make_blob<typename Flow::message_type>(0, size);
    zg::inbox<decltype(msg)> in;
    return drive_by(
        one_thread, n,
        [&](std::uint32_t i) {
          msg.seq = i;
          return push.send(msg);
        },
        [&]() -> int {  // into one reused inbox: what an allocation-free loop does
          if (!pull.receive(in)) return -1;
          return in.value().seq != 0;
        });
  });
}

// Up to batch_n messages a frame; the warm-up and the last message flush.
template <via V>
outcome typed_push_pull_batched(int n, std::size_t size, keys const& k) {
  return with_typed<V, zg::pull, zg::push, batch_limits, batched_flow, zg::batched<batch_n, 5>>(
      k, [&](auto& pull, auto& push) {
        small_blob msg{};
        msg.data = std::vector<std::uint8_t>(size - encoding_overhead(), 0x5a);
        zg::inbox<small_blob> in;
        return drive(
            n,
            [&](std::uint32_t i) {
              msg.seq = i;
              bool ok = push.send(msg);
              if (i == 0 || i == std::uint32_t(n)) ok = push.flush() && ok;
              return ok;
            },
            [&]() -> int {
              if (!pull.receive(in)) return -1;
              return in.value().seq != 0;
            });
      });
}

template <via V, class Feed = feed>
outcome typed_pub_sub(int n, std::size_t size, keys const& k) {
  return with_typed<V, zg::pub, zg::sub, drop_limits, Feed>(k, [&](auto& pub, auto& sub) {
    auto msg = make_blob<typename Feed::message_type>(0, size);
    zg::inbox<decltype(msg)> in;
    return drive(
        n,
        [&](std::uint32_t i) {
          msg.seq = i;
          return pub.send(msg);
        },
        [&]() -> int {  // into one reused inbox: what an allocation-free loop does
          if (!sub.receive(in)) return -1;
          return in.value().seq != 0;
        });
  });
}

// --- raw cppzmq: the same options, the same bytes ---------------------------

void raw_options(zmq::socket_t& s) {
  s.set(zmq::sockopt::linger, 0);
  s.set(zmq::sockopt::sndhwm, hwm);
  s.set(zmq::sockopt::rcvhwm, hwm);
  s.set(zmq::sockopt::maxmsgsize, std::int64_t{max_size});
  s.set(zmq::sockopt::sndtimeo, 5000);
  s.set(zmq::sockopt::rcvtimeo, poll_ms);
}

template <class Run>
outcome with_raw(via v, zmq::socket_type bound_type, zmq::socket_type connected_type, keys const& k, Run&& run) {
  static int n = 0;
  zmq::context_t ctx;
  zmq::socket_t server(ctx, bound_type), client(ctx, connected_type);
  raw_options(server);
  raw_options(client);
  if (v == via::curve) {
    server.set(zmq::sockopt::curve_server, 1);
    server.set(zmq::sockopt::curve_secretkey, zmq::const_buffer(k.server.secret_part().data(), 32));
    client.set(zmq::sockopt::curve_serverkey, zmq::const_buffer(k.server.public_part().data(), 32));
    client.set(zmq::sockopt::curve_publickey, zmq::const_buffer(k.client.public_part().data(), 32));
    client.set(zmq::sockopt::curve_secretkey, zmq::const_buffer(k.client.secret_part().data(), 32));
  }
  if (connected_type == zmq::socket_type::sub) client.set(zmq::sockopt::subscribe, "bench");
  std::string const addr = v == via::inproc ? "inproc://raw" + std::to_string(++n)
                           : v == via::ipc  ? fresh_ipc("raw")
                                            : std::string("tcp://127.0.0.1:*");
  server.bind(addr);
  client.connect(server.get(zmq::sockopt::last_endpoint));
  return run(server, client);
}

outcome raw_push_pull(via v, int n, std::size_t size, keys const& k, bool one_thread = false) {
  return with_raw(v, zmq::socket_type::pull, zmq::socket_type::push, k, [&](auto& pull, auto& push) {
    auto const warm = zg::encode(make_blob(0, size)), payload = zg::encode(make_blob(1, size));
    auto const off = seq_offset();
    zmq::message_t in;
    return drive_by(
        one_thread, n, [&](std::uint32_t i) { return bool(push.send(zmq::buffer(i ? payload : warm))); },
        [&]() -> int { return !pull.recv(in) ? -1 : counted(in, off); });
  });
}

outcome raw_pub_sub(via v, int n, std::size_t size, keys const& k) {
  return with_raw(v, zmq::socket_type::pub, zmq::socket_type::sub, k, [&](auto& pub, auto& sub) {
    auto const warm = zg::encode(make_blob(0, size)), payload = zg::encode(make_blob(1, size));
    auto const off = seq_offset();
    zmq::message_t topic, in;
    return drive(
        n,
        [&](std::uint32_t i) {
          return pub.send(zmq::str_buffer("bench"), zmq::send_flags::sndmore) &&
                 pub.send(zmq::buffer(i ? payload : warm));
        },
        [&]() -> int {
          if (!sub.recv(topic)) return -1;
          if (!topic.more() || !sub.recv(in)) return 0;
          return counted(in, off);
        });
  });
}

// --- cases ---------------------------------------------------------------

struct options {
  int messages = 200000, rounds = 5;
  std::string filter;
  bool json = false;
};

int count_for(int messages, std::size_t size) {
  if (size <= 64) return messages;
  if (size <= 1024) return std::max(100, messages / 2);
  return std::max(100, messages / 50);
}

template <class Raw, class Typed>
void run_case(options const& o, char const* pattern, via v, std::size_t size, Raw&& raw_run, Typed&& typed_run) {
  std::string const name = std::string(pattern) + "/" + name_of(v) + "/" + std::to_string(size);
  if (!o.filter.empty() && name.find(o.filter) == std::string::npos) return;
  int const n = count_for(o.messages, size);
  std::vector<double> raw, ours;
  int raw_min = n, ours_min = n;
  for (int r = 0; r < o.rounds; ++r) {
    auto a = raw_run(n, size);
    auto b = typed_run(n, size);
    raw.push_back(a.rate), ours.push_back(b.rate);
    raw_min = std::min(raw_min, a.got), ours_min = std::min(ours_min, b.got);
  }
  double const mr = median(raw), mo = median(ours);
  if (o.json) {
    bench_support::json_row()
        .compare(name, size, mr, mo)
        .str("unit", "msgs/s")
        .str("pattern", pattern)
        .str("transport", name_of(v))
        .integer("messages", n)
        .integer("runs", o.rounds)
        .integer("raw_received_min", raw_min)
        .integer("zguard_received_min", ours_min)
        .print();
  } else {
    std::printf("%-24s %-10s %6zu %7d %12.0f %12.0f %7.2f %9d %9d%s\n", pattern, name_of(v), size, n, mr, mo,
                mo / mr, raw_min, ours_min, raw_min < n || ours_min < n ? "  (short)" : "");
    std::fflush(stdout);
  }
}

template <via V>
void run_transport(options const& o, keys const& k) {
  for (std::size_t size : {64u, 1024u, 65536u})
    run_case(
        o, "push_pull", V, size, [&](int n, std::size_t s) { return raw_push_pull(V, n, s, k); },
        [&](int n, std::size_t s) { return typed_push_pull<V>(n, s, k); });
  for (std::size_t size : {64u, 1024u})
    run_case(
        o, "push_pull_batched", V, size, [&](int n, std::size_t s) { return raw_push_pull(V, n, s, k); },
        [&](int n, std::size_t s) { return typed_push_pull_batched<V>(n, s, k); });
  for (std::size_t size : {64u, 1024u, 65536u})
    run_case(
        o, "pub_sub", V, size, [&](int n, std::size_t s) { return raw_pub_sub(V, n, s, k); },
        [&](int n, std::size_t s) { return typed_pub_sub<V>(n, s, k); });
  // shared_bytes payload: the receiver shares the frame instead of copying.
  for (std::size_t size : {64u, 1024u, 65536u})
    run_case(
        o, "push_pull_shared", V, size, [&](int n, std::size_t s) { return raw_push_pull(V, n, s, k); },
        [&](int n, std::size_t s) { return typed_push_pull<V, shared_flow>(n, s, k); });
  // Both sides in one thread: the CPU cost of a message, without scheduling.
  if constexpr (V == via::inproc) {
    for (std::size_t size : {64u, 1024u, 65536u})
      run_case(
          o, "push_pull_1thread", V, size, [&](int n, std::size_t s) { return raw_push_pull(V, n, s, k, true); },
          [&](int n, std::size_t s) { return typed_push_pull<V>(n, s, k, true); });
    for (std::size_t size : {64u, 1024u, 65536u})
      run_case(
          o, "push_pull_shared_1thread", V, size,
          [&](int n, std::size_t s) { return raw_push_pull(V, n, s, k, true); },
          [&](int n, std::size_t s) { return typed_push_pull<V, shared_flow>(n, s, k, true); });
  }
  for (std::size_t size : {64u, 1024u, 65536u})
    run_case(
        o, "pub_sub_shared", V, size, [&](int n, std::size_t s) { return raw_pub_sub(V, n, s, k); },
        [&](int n, std::size_t s) { return typed_pub_sub<V, shared_feed>(n, s, k); });
}

}  // namespace

int main(int argc, char** argv) {
  options o;
  o.json = bench_support::take_json_flag(argc, argv);
  if (argc > 1) o.messages = std::max(1, std::atoi(argv[1]));
  if (argc > 2) o.rounds = std::max(1, std::atoi(argv[2]));
  if (argc > 3) o.filter = argv[3];
  keys const k;
  if (!o.json) {
    std::printf("one-way throughput, typed vs raw cppzmq, same bytes; %d messages per run at 64 B (1 KiB: %d, "
                "64 KiB: %d), median of %d runs\n",
                o.messages, count_for(o.messages, 1024), count_for(o.messages, 65536), o.rounds);
    std::printf("%-24s %-10s %6s %7s %12s %12s %7s %9s %9s\n", "pattern", "transport", "bytes", "msgs", "raw msgs/s",
                "zguard/s", "ratio", "raw got", "zg got");
  }
  run_transport<via::inproc>(o, k);
  run_transport<via::ipc>(o, k);
  run_transport<via::tcp>(o, k);
  run_transport<via::curve>(o, k);
}
