// libFuzzer target for the signed envelope (G7): any frames, parsed and
// verified with both algorithms against fixed keys at a fixed clock (the
// test vectors' keys and time, so seeds can reach every check). Verifying
// must never crash or read out of range, and whatever verifies must be the
// exact payload frame of an envelope whose signature checks independently.
//
// Input: up to 5 frames, framed as fuzz/frames.hpp says.
#include <zguard/envelope.hpp>

#include "frames.hpp"

#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

namespace {

constexpr std::uint64_t vector_time_us = 1700000000000000;

template <class A>
struct fixture {
  zguard::verify_keys<A> keys;
  fixture() {
    std::array<std::uint8_t, 32> k{};
    for (int i = 0; i < 32; ++i) k[i] = std::uint8_t(std::is_same_v<A, zguard::ed25519> ? i : 32 + i);
    if constexpr (std::is_same_v<A, zguard::ed25519>) keys.add(zguard::signing_key<zguard::ed25519>::from_seed(k).verify_part());
    else keys.add(zguard::signing_key<zguard::blake2b_mac>::from_bytes(k));
  }
};

template <class A>
void verify_as(std::vector<zmq::message_t> const& frames) {
  static fixture<A> f;
  auto const now = std::chrono::system_clock::time_point(std::chrono::microseconds(vector_time_us));
  for (bool with_topic : {true, false}) {
    auto env = zguard::unverified_envelope::parse(frames, with_topic);
    if (!env) continue;
    // A fresh verifier each time: no state carried between inputs.
    zguard::verifier<A, 30000, 64> v(f.keys, 4);
    auto r = v.verify(*env, with_topic ? "test.tick" : "", now);
    if (!r) continue;
    auto const& payload = frames[with_topic ? 2 : 1];
    if (r.payload().data() != payload.data() || r.payload().size() != payload.size()) {
      std::fprintf(stderr, "verified payload is not the payload frame\n");
      std::abort();
    }
    // Verifying the same envelope again is a replay, whatever it holds.
    if (v.verify(*env, with_topic ? "test.tick" : "", now).reason() != zguard::drop_reason::replay) {
      std::fprintf(stderr, "a verified envelope was accepted twice\n");
      std::abort();
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
  if (size == 0) return 0;
  auto const frames = zguard_fuzz::frames_of(data, size, 5);
  verify_as<zguard::ed25519>(frames);
  verify_as<zguard::blake2b_mac>(frames);
  return 0;
}
