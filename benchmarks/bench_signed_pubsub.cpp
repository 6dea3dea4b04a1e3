// Signed PUB/SUB throughput (Ed25519 and BLAKE2b, 64 B and 1 KiB messages)
// next to unsigned raw cppzmq PUB/SUB and the raw libsodium sign and verify
// rates, all measured in the same run over ipc.
//
// usage: bench_signed_pubsub [messages=20000] [rounds=3] [filter] [--json]
// filter: run only cases whose name (as in --json, e.g.
// signed_pubsub_batched/ed25519/1024) contains it.
// The ceiling for a signed feed is the slowest of: raw PUB/SUB, signing
// (publisher thread) and verifying (subscriber thread); the ratio is zguard
// signed msgs/s over that ceiling (1.00 = no overhead beyond the crypto).
// With --json: one line per case with raw = unsigned raw PUB/SUB, zguard =
// signed, ratio = zguard / raw, and sign, verify, ceiling, ratio_to_ceiling.
//
// Batched rows: the same signed feed with batched<256, 5> (one envelope, so
// one signature and one verification, per 256 messages), next to the same
// unsigned raw PUB/SUB, with the latency from send() to receive() of each
// message (p50 and p99, microseconds): what the batching delay costs.
// Sealed rows (sealed_pubsub_batched): the Ed25519 batched feed sealed
// (G19) next to the same feed signed only, in the same run; raw = signed.
#include <zguard/zguard.hpp>

#include "bench_support.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace zg = zguard;

namespace {

using bench = zg::domain<"bench">;
struct blob {
  ZGUARD_SCHEMA("bench.blob", 1);
  BOOST_HANA_DEFINE_STRUCT(blob, (std::uint32_t, seq), (zg::bounded_bytes<1024>, data));
};
using feed = zg::topic<"bench", blob>;
using L = zg::limits<zg::send_hwm<200000>, zg::recv_hwm<200000>, zg::drop_when_full, zg::max_message_size<2048>,
                     zg::linger_ms<0>, zg::send_timeout_ms<1000>, zg::recv_timeout_ms<1000>,
                     zg::handshake_timeout_ms<5000>>;
constexpr int batch_n = 256;
constexpr int paced_rate = 20000, paced_n = 10000;  // latency runs: 20 000 msgs/s for half a second
using LB = zg::limits<zg::send_hwm<200000>, zg::recv_hwm<200000>, zg::drop_when_full, zg::max_message_size<(1 << 20)>,
                      zg::linger_ms<0>, zg::send_timeout_ms<1000>, zg::recv_timeout_ms<1000>,
                      zg::handshake_timeout_ms<5000>>;
using bench_support::fresh_ipc;
using bench_support::median;
using bench_support::seconds_since;
using bench_support::steady;
bool json = false;
std::string filter;
bool selected(std::string const& name) { return filter.empty() || name.find(filter) != std::string::npos; }


blob make_blob(std::uint32_t seq, std::size_t encoded) {
  blob b{};
  b.seq = seq;
  b.data = std::vector<std::uint8_t>(encoded - 20, 0x5a);  // header 14 + seq 4 + prefix 2
  return b;
}


// A fresh signing key and the verify keys that accept it.
template <class A>
std::pair<zg::signing_key<A>, zg::verify_keys<A>> feed_keys() {
  auto key = zg::signing_key<A>::generate();
  zg::verify_keys<A> keys;
  if constexpr (std::is_same_v<A, zg::ed25519>) keys.add(key.verify_part());
  else keys.add(key);
  return {std::move(key), std::move(keys)};
}

// zguard signed PUB -> SUB: messages per second delivered (verified).
template <class A>
double signed_rate(int n, std::size_t size) {
  zg::context<bench> ctx([](zg::security_event const&) {});
  auto [key, keys] = feed_keys<A>();
  zg::socket<bench, zg::ipc, zg::pub, zg::null_mechanism, L, feed, zg::signing<A>> pub(ctx, key);
  zg::socket<bench, zg::ipc, zg::sub, zg::null_mechanism, L, feed, zg::signing<A>> sub(ctx, keys);
  sub.connect(pub.bind(fresh_ipc("signed")));
  auto warm = make_blob(0, size);
  do (void)pub.send(warm);
  while (!sub.template receive<blob>());
  std::atomic<int> got = 0;
  steady::time_point last;
  std::thread receiver([&] {
    while (got < n) {
      auto m = sub.template receive<blob>();
      if (!m) break;  // a second of silence: the rest was dropped
      if (m->value.seq > 0) ++got, last = steady::now();
    }
  });
  auto msg = make_blob(1, size);
  auto t0 = steady::now();
  for (int i = 1; i <= n; ++i) {
    msg.seq = std::uint32_t(i);
    (void)pub.send(msg);
  }
  receiver.join();
  return got / std::chrono::duration<double>(last - t0).count();
}

// zguard signed and batched PUB -> SUB: messages per second delivered
// (verified), and each message's latency from send() to receive(). Flat
// out (per_second = 0) for the rate; paced below the rate for the latency
// a batch's delay adds (flat out, latency is mostly time in the queues).
struct batched_outcome {
  double rate = 0, p50_us = 0, p99_us = 0;
};
// Sealed (Extra: a sealed<...>, G19): the same feed with each batch sealed
// under the publisher's epoch key, to one member.
template <class A, class... Extra>
batched_outcome signed_batched_run(int n, std::size_t size, int per_second) {
  zg::context<bench> ctx([](zg::security_event const&) {});
  auto [key, keys] = feed_keys<A>();
  using batching = zg::batched<batch_n, 5>;
  using pub_t = zg::socket<bench, zg::ipc, zg::pub, zg::null_mechanism, LB, feed, zg::signing<A>, batching, Extra...>;
  using sub_t = zg::socket<bench, zg::ipc, zg::sub, zg::null_mechanism, LB, feed, zg::signing<A>, batching, Extra...>;
  auto const member = zg::sealing_key::generate();
  std::optional<pub_t> pub_slot;
  std::optional<sub_t> sub_slot;
  if constexpr (sizeof...(Extra) > 0) {
    pub_slot.emplace(ctx, key, zg::sealing_members{member.public_part()});
    sub_slot.emplace(ctx, keys, member);
  } else {
    pub_slot.emplace(ctx, key);
    sub_slot.emplace(ctx, keys);
  }
  auto& pub = *pub_slot;
  auto& sub = *sub_slot;
  sub.connect(pub.bind(fresh_ipc("batched")));
  auto warm = make_blob(0, size);
  do (void)pub.send(warm), (void)pub.flush();
  while (!sub.receive());
  while (sub.receive()) {  // the rest of the warm-up
  }
  std::atomic<int> got = 0;
  steady::time_point last;
  std::vector<double> latency_us;
  latency_us.reserve(std::size_t(n));
  std::vector<std::atomic<std::int64_t>> sent_at(std::size_t(n) + 1);  // by seq: when send() was called
  std::thread receiver([&] {
    zg::inbox<blob> in;
    while (got < n) {
      if (!sub.receive(in)) break;  // a second of silence: the rest was dropped
      if (in.value().seq == 0) continue;
      auto const now = steady::now();
      std::int64_t const sent = sent_at[in.value().seq % sent_at.size()].load(std::memory_order_relaxed);
      latency_us.push_back(double(now.time_since_epoch().count() - sent) / 1000.0);
      ++got, last = now;
    }
  });
  auto msg = make_blob(1, size);
  auto const t0 = steady::now();
  auto const gap = per_second ? std::chrono::nanoseconds(1'000'000'000 / per_second) : std::chrono::nanoseconds(0);
  for (int i = 1; i <= n; ++i) {
    if (per_second)
      while (steady::now() < t0 + gap * i) {
      }
    msg.seq = std::uint32_t(i);
    sent_at[std::size_t(i)].store(steady::now().time_since_epoch().count(), std::memory_order_relaxed);
    (void)pub.send(msg);
  }
  (void)pub.flush();
  receiver.join();
  std::sort(latency_us.begin(), latency_us.end());
  auto pct = [&](double p) {
    return latency_us.empty() ? 0.0 : latency_us[std::size_t(p * double(latency_us.size() - 1))];
  };
  return {got / std::chrono::duration<double>(last - t0).count(), pct(0.50), pct(0.99)};
}

// Raw cppzmq PUB -> SUB, unsigned, same frames as a typed topic message.
double raw_rate(int n, std::size_t size) {
  zmq::context_t ctx;
  zmq::socket_t pub(ctx, zmq::socket_type::pub), sub(ctx, zmq::socket_type::sub);
  for (auto* s : {&pub, &sub}) {
    s->set(zmq::sockopt::linger, 0);
    s->set(zmq::sockopt::sndhwm, 200000);
    s->set(zmq::sockopt::rcvhwm, 200000);
  }
  sub.set(zmq::sockopt::rcvtimeo, 1000);
  sub.set(zmq::sockopt::subscribe, "bench");
  auto ep = fresh_ipc("raw");
  pub.bind(ep);
  sub.connect(ep);
  auto payload = zg::encode(make_blob(0, size));
  std::vector<zmq::message_t> frames;
  do {
    (void)pub.send(zmq::str_buffer("bench"), zmq::send_flags::sndmore);
    (void)pub.send(zmq::buffer(payload));
    frames.clear();
  } while (!zmq::recv_multipart(sub, std::back_inserter(frames)));
  std::atomic<int> got = 0;
  steady::time_point last;
  std::thread receiver([&] {
    std::vector<zmq::message_t> f;
    while (got < n) {
      f.clear();
      if (!zmq::recv_multipart(sub, std::back_inserter(f))) break;
      if (f.size() == 2 && f[1].size() > 4 && static_cast<std::uint8_t const*>(f[1].data())[15] != 0)
        ++got, last = steady::now();  // seq (byte 15 of the encoding) > 0: not a warm-up
    }
  });
  auto t0 = steady::now();
  for (int i = 1; i <= n; ++i) {
    payload[14] = std::uint8_t(i), payload[15] = std::uint8_t(1 + (i & 0x7f));
    (void)pub.send(zmq::str_buffer("bench"), zmq::send_flags::sndmore);
    (void)pub.send(zmq::buffer(payload));
  }
  receiver.join();
  return got / std::chrono::duration<double>(last - t0).count();
}

// libsodium alone over the bytes an envelope signs: tag + header + payload
// (Ed25519: the BLAKE2b-512 digest of them, then the signature of the
// digest tag and digest, as docs/wire-format.md specifies).
struct crypto_rates {
  double sign, verify;
};
template <class A>
crypto_rates sodium_rates(std::size_t size) {
  std::vector<std::uint8_t> data(19 + 40 + size, 0x33);
  std::uint8_t sig[64];
  auto rate = [](auto&& op) {
    int n = 0;
    auto t0 = steady::now();
    while (seconds_since(t0) < 0.3)
      for (int k = 0; k < 64; ++k, ++n) op();
    return n / seconds_since(t0);
  };
  if constexpr (std::is_same_v<A, zg::ed25519>) {
    unsigned char pk[32], sk[64];
    crypto_sign_keypair(pk, sk);
    std::uint8_t m[26 + 64] = "zguard.ed25519.blake2b512";
    auto digest = [&] { crypto_generichash(m + 26, 64, data.data(), data.size(), nullptr, 0); };
    double s = rate([&] {
      digest();
      crypto_sign_detached(sig, nullptr, m, sizeof m, sk);
    });
    double v = rate([&] {
      digest();
      if (crypto_sign_verify_detached(sig, m, sizeof m, pk) != 0) std::abort();
    });
    return {s, v};
  } else {
    unsigned char key[32];
    randombytes_buf(key, sizeof key);
    double m = rate([&] { crypto_generichash(sig, 32, data.data(), data.size(), key, 32); });
    return {m, m};  // verify = recompute + constant-time compare
  }
}

template <class A>
void run_batched(char const* name, int n, int rounds) {
  for (std::size_t size : {64u, 1024u}) {
    auto const case_name = std::string("signed_pubsub_batched/") + name + "/" + std::to_string(size);
    if (!selected(case_name)) continue;
    std::vector<double> raw, ours, p50, p99;
    for (int r = 0; r < rounds; ++r) {
      raw.push_back(raw_rate(n, size));
      ours.push_back(signed_batched_run<A>(n, size, 0).rate);
      auto paced = signed_batched_run<A>(paced_n, size, paced_rate);
      p50.push_back(paced.p50_us), p99.push_back(paced.p99_us);
    }
    if (json) {
      bench_support::json_row()
          .compare(case_name, size, median(raw), median(ours))
          .str("unit", "msgs/s")
          .str("transport", "ipc")
          .integer("batch", batch_n)
          .num("latency_p50_us", median(p50))
          .num("latency_p99_us", median(p99))
          .integer("latency_at_msgs_per_s", paced_rate)
          .integer("messages", n)
          .integer("runs", rounds)
          .print();
      continue;
    }
    std::printf("%-8s %6zu %12.0f %12.0f %7.2f %10.0f %10.0f\n", name, size, median(ours), median(raw),
                median(ours) / median(raw), median(p50), median(p99));
  }
}

// Sealed and batched next to signed and batched, rounds alternating: the
// cost of sealing (one AEAD pass over each batch at both ends).
void run_sealed_batched(int n, int rounds) {
  using sealing = zg::sealed<zg::max_members<4>>;
  for (std::size_t size : {64u, 1024u}) {
    auto const case_name = std::string("sealed_pubsub_batched/ed25519/") + std::to_string(size);
    if (!selected(case_name)) continue;
    std::vector<double> signed_only, sealed, p50, p99;
    for (int r = 0; r < rounds; ++r) {
      signed_only.push_back(signed_batched_run<zg::ed25519>(n, size, 0).rate);
      sealed.push_back(signed_batched_run<zg::ed25519, sealing>(n, size, 0).rate);
      auto paced = signed_batched_run<zg::ed25519, sealing>(paced_n, size, paced_rate);
      p50.push_back(paced.p50_us), p99.push_back(paced.p99_us);
    }
    if (json) {
      bench_support::json_row()
          .compare(case_name, size, median(signed_only), median(sealed))
          .str("unit", "msgs/s")
          .str("transport", "ipc")
          .str("baseline", "signed_pubsub_batched/ed25519")
          .integer("batch", batch_n)
          .num("latency_p50_us", median(p50))
          .num("latency_p99_us", median(p99))
          .integer("latency_at_msgs_per_s", paced_rate)
          .integer("messages", n)
          .integer("runs", rounds)
          .print();
      continue;
    }
    std::printf("%-8s %6zu %12.0f %12.0f %7.2f %10.0f %10.0f\n", "sealed", size, median(sealed), median(signed_only),
                median(sealed) / median(signed_only), median(p50), median(p99));
  }
}

template <class A>
void run(char const* name, int n, int rounds) {
  for (std::size_t size : {64u, 1024u}) {
    auto const case_name = std::string("signed_pubsub/") + name + "/" + std::to_string(size);
    if (!selected(case_name)) continue;
    std::vector<double> ours, raw, sign, verify;
    for (int r = 0; r < rounds; ++r) {
      raw.push_back(raw_rate(n, size));
      ours.push_back(signed_rate<A>(n, size));
      auto c = sodium_rates<A>(size);
      sign.push_back(c.sign);
      verify.push_back(c.verify);
    }
    double const ceiling = std::min({median(raw), median(sign), median(verify)});
    if (json) {
      bench_support::json_row()
          .compare(case_name, size, median(raw), median(ours))
          .str("unit", "msgs/s")
          .str("transport", "ipc")
          .num("sign", median(sign))
          .num("verify", median(verify))
          .num("ceiling", ceiling)
          .num("ratio_to_ceiling", median(ours) / ceiling)
          .integer("messages", n)
          .integer("runs", rounds)
          .print();
      continue;
    }
    std::printf("%-8s %6zu %12.0f %12.0f %12.0f %12.0f %12.0f %7.2f\n", name, size, median(ours), median(raw),
                median(sign), median(verify), ceiling, median(ours) / ceiling);
  }
}

}  // namespace

int main(int argc, char** argv) {
  json = bench_support::take_json_flag(argc, argv);
  int const n = argc > 1 ? std::atoi(argv[1]) : 20000;
  int const rounds = argc > 2 ? std::max(1, std::atoi(argv[2])) : 3;
  if (argc > 3) filter = argv[3];
  if (!json) {
    std::printf("signed PUB/SUB over ipc, %d messages per run, median of %d runs (msgs/s)\n", n, rounds);
    std::printf("%-8s %6s %12s %12s %12s %12s %12s %7s\n", "alg", "bytes", "zguard", "raw cppzmq", "sign", "verify",
                "ceiling", "ratio");
  }
  run<zg::ed25519>("ed25519", n, rounds);
  run<zg::blake2b_mac>("blake2b", n, rounds * 2);
  if (!json) {
    std::printf("\nsigned and batched<%d, 5> PUB/SUB over ipc, %d messages per run, median of %d runs\n", batch_n,
                n * 10, rounds);
    std::printf("(latency: send() to receive() at %d msgs/s)\n", paced_rate);
    std::printf("%-8s %6s %12s %12s %7s %10s %10s\n", "alg", "bytes", "zguard", "raw unsign", "ratio", "p50 us",
                "p99 us");
  }
  run_batched<zg::ed25519>("ed25519", n * 10, rounds);
  run_batched<zg::blake2b_mac>("blake2b", n * 10, rounds);
  if (!json) {
    std::printf("\nsealed (G19), signed with ed25519 and batched<%d, 5>, next to the same feed signed only\n", batch_n);
    std::printf("%-8s %6s %12s %12s %7s %10s %10s\n", "", "bytes", "sealed", "signed", "ratio", "p50 us", "p99 us");
  }
  run_sealed_batched(n * 10, rounds);
}
