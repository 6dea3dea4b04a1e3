// Schema codec throughput: encode and decode of a small schema and of 64 KiB
// schemas, next to memcpy of the same bytes, in the same run.
//
// usage: bench_codec [bytes_per_run=268435456] [rounds=5] [--json]
// Each case runs until about bytes_per_run bytes went through, alternating
// with memcpy of the same message size; prints medians of `rounds` runs and
// the ratio time(zguard) / time(memcpy) (1.0 = as fast as memcpy). With
// --json: one line per case with raw = memcpy MB/s, zguard = MB/s and
// ratio = zguard / raw (its inverse, 1.0 = as fast as memcpy), t_over_memcpy.
#include <zguard/zguard.hpp>

#include "bench_support.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace zg = zguard;

namespace {

struct small_msg {
  ZGUARD_SCHEMA("bench.small", 1);
  BOOST_HANA_DEFINE_STRUCT(small_msg, (std::uint64_t, id), (std::int64_t, price), (std::uint32_t, qty),
                           (bool, buy), (zg::bounded_string<16>, symbol));
};
// Fixed layout: every field has one size; 64 KiB of integers.
struct fixed_64k {
  ZGUARD_SCHEMA("bench.fixed64k", 1);
  BOOST_HANA_DEFINE_STRUCT(fixed_64k, (std::uint64_t, id), (std::array<std::uint64_t, 8192>, samples));
};
// Variable layout: 64 KiB of bytes behind a length prefix, copied or viewed.
struct blob_64k {
  ZGUARD_SCHEMA("bench.blob64k", 1);
  BOOST_HANA_DEFINE_STRUCT(blob_64k, (std::uint64_t, id), (zg::bounded_bytes<65536>, data));
};
struct blob_64k_view {
  ZGUARD_SCHEMA("bench.blob64k", 1);
  BOOST_HANA_DEFINE_STRUCT(blob_64k_view, (std::uint64_t, id), (zg::bounded_bytes_view<65536>, data));
};

using bench_support::median;
using bench_support::seconds_since;
using bench_support::steady;
bool json = false;

// Keeps results observable so the optimizer cannot drop the work.
std::uint64_t sink = 0;
template <class T>
void keep(T const& v) {
  asm volatile("" : : "g"(&v) : "memory");
}


// Seconds per message of f, over n messages.
template <class F>
double per_message(std::size_t n, F&& f) {
  auto t0 = steady::now();
  for (std::size_t i = 0; i < n; ++i) f(i);
  return seconds_since(t0) / double(n);
}

template <class Make, class Decoded>
void run_case(char const* name, Make make, Decoded, std::size_t bytes_per_run, int rounds) {
  auto value = make();
  auto wire = zg::encode(value);
  std::size_t const size = wire.size();
  std::size_t const n = std::max<std::size_t>(1000, bytes_per_run / size);
  std::vector<std::uint8_t> out(size), copy(size);
  std::vector<double> enc, dec, mem;
  for (int r = 0; r < rounds; ++r) {
    mem.push_back(per_message(n, [&](std::size_t) {
      std::memcpy(copy.data(), wire.data(), size);
      keep(copy);
    }));
    enc.push_back(per_message(n, [&](std::size_t) {
      sink += zg::encode_into(value, out.data());
      keep(out);
    }));
    dec.push_back(per_message(n, [&](std::size_t) {
      auto d = zg::decode<Decoded>(wire);
      if (!d) std::abort();
      keep(d);
    }));
  }
  auto row = [&](char const* op, double t) {
    double const m = median(mem);
    if (json) {
      bench_support::json_row()
          .compare(std::string("codec/") + name + "/" + op, size, size / m / 1e6, size / t / 1e6)
          .str("unit", "MB/s")
          .num("msgs_per_s", 1.0 / t)
          .num("t_over_memcpy", t / m)
          .integer("runs", rounds)
          .print();
      return;
    }
    std::printf("%-22s %-7s %8zu %12.0f %12.0f %12.0f %8.2f\n", name, op, size, 1.0 / t, size / t / 1e6,
                size / m / 1e6, t / m);
  };
  row("encode", median(enc));
  row("decode", median(dec));
}

}  // namespace

int main(int argc, char** argv) {
  json = bench_support::take_json_flag(argc, argv);
  std::size_t const bytes_per_run = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : (std::size_t(1) << 28);
  int const rounds = argc > 2 ? std::max(1, std::atoi(argv[2])) : 5;
  if (!json) {
    std::printf("schema codec vs memcpy of the same bytes; ~%zu MB per run, median of %d runs\n",
                bytes_per_run >> 20, rounds);
    std::printf("%-22s %-7s %8s %12s %12s %12s %8s\n", "schema", "op", "bytes", "msgs/s", "MB/s", "memcpy MB/s",
                "t/memcpy");
  }
  run_case("small", [] { return small_msg{42, -7, 100, true, "EURUSD"}; }, small_msg{}, bytes_per_run / 16, rounds);
  run_case("fixed 64 KiB", [] {
    fixed_64k f{};
    f.id = 1;
    for (std::size_t i = 0; i < f.samples.size(); ++i) f.samples[i] = i * 2654435761u;
    return f;
  }, fixed_64k{}, bytes_per_run, rounds);
  auto blob = [] {
    blob_64k b{};
    b.id = 2;
    b.data = std::vector<std::uint8_t>(65536, 0x5a);
    return b;
  };
  run_case("bytes 64 KiB (copy)", blob, blob_64k{}, bytes_per_run, rounds);
  run_case("bytes 64 KiB (view)", blob, blob_64k_view{}, bytes_per_run, rounds);
  if (!json) std::printf("(checksum %llu)\n", static_cast<unsigned long long>(sink));
}
