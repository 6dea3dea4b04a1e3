// libFuzzer target for the signed envelope (G7): any frames, parsed and
// verified with both algorithms against fixed keys at a fixed clock (the
// test vectors' keys and time, so seeds can reach every check). Parsing and
// verifying must never crash or read out of range, and whatever verifies
// must be exactly the bytes between header and signature of the sealed
// frame, whose signature checks independently (libsodium, here).
//
// Input: up to 5 frames, framed as fuzz/frames.hpp says.
#include <zguard/envelope.hpp>

#include "frames.hpp"

#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
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

// The signature over "zguard.envelope.v2\0" || the first n bytes, checked
// with libsodium directly (not through envelope.hpp).
template <class A>
bool signature_checks(std::uint8_t const* signed_part, std::size_t n, std::uint8_t const* signature) {
  std::vector<std::uint8_t> m(19 + n);
  std::memcpy(m.data(), "zguard.envelope.v2", 19);  // with its terminating zero
  std::memcpy(m.data() + 19, signed_part, n);
  std::array<std::uint8_t, 32> k{};
  for (int i = 0; i < 32; ++i) k[i] = std::uint8_t(std::is_same_v<A, zguard::ed25519> ? i : 32 + i);
  if constexpr (std::is_same_v<A, zguard::ed25519>) {
    std::array<std::uint8_t, 32> pk{};
    std::array<std::uint8_t, 64> sk{};
    crypto_sign_seed_keypair(pk.data(), sk.data(), k.data());
    // Ed25519 signs the digest tag and BLAKE2b-512 of the signed bytes.
    std::array<std::uint8_t, 26 + 64> d{};
    std::memcpy(d.data(), "zguard.ed25519.blake2b512", 26);  // with its terminating zero
    crypto_generichash(d.data() + 26, 64, m.data(), m.size(), nullptr, 0);
    return crypto_sign_verify_detached(signature, d.data(), d.size(), pk.data()) == 0;
  } else {
    std::array<std::uint8_t, 32> mac{};
    crypto_generichash(mac.data(), mac.size(), m.data(), m.size(), k.data(), k.size());
    return std::memcmp(mac.data(), signature, 32) == 0;
  }
}

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
    // Recomputed from the sealed frame by hand: header 35 + T bytes, then
    // the payload, then the signature.
    auto const& sealed = frames[with_topic ? 1 : 0];
    auto const* b = static_cast<std::uint8_t const*>(sealed.data());
    std::size_t const header = 35 + std::size_t(b[34]), signature = A::signature_size;
    if (sealed.size() < header + signature || r.payload().data() != b + header ||
        r.payload().size() != sealed.size() - header - signature) {
      std::fprintf(stderr, "verified payload is not the bytes between header and signature\n");
      std::abort();
    }
    if (!signature_checks<A>(b, sealed.size() - signature, b + sealed.size() - signature)) {
      std::fprintf(stderr, "verified an envelope whose signature does not check\n");
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
