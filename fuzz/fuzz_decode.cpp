// libFuzzer target for zguard::decode (G9): any bytes, decoded as every test
// schema. Decoding must never crash, read out of range or throw; and the
// wire format is canonical, so whatever decodes must re-encode to exactly
// the bytes it came from (a decoder that accepts two spellings of one value
// would let a peer smuggle data past a signature or a cache key).
//
// Built two ways (fuzz/CMakeLists.txt): with clang -fsanitize=fuzzer for
// real fuzzing, and with the normal compiler plus replay_main.cpp so the test
// suite replays the seed corpus.
#include "../tests/schemas.hpp"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <span>

namespace {

template <class S>
void decode_as(std::span<std::uint8_t const> bytes) {
  auto decoded = zguard::decode<S>(bytes);
  if (!decoded) {
    // The error must name a reason we document and point inside the input.
    if (decoded.error().offset > bytes.size()) {
      std::fprintf(stderr, "decode_error offset %zu past the input (%zu bytes)\n", decoded.error().offset,
                   bytes.size());
      std::abort();
    }
    return;
  }
  auto again = zguard::encode(*decoded);
  if (again.size() != bytes.size() || std::memcmp(again.data(), bytes.data(), bytes.size()) != 0) {
    std::fprintf(stderr, "decode/encode round trip differs for %s (%zu -> %zu bytes)\n",
                 S::zguard_schema_id.name.data(), bytes.size(), again.size());
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
  std::span<std::uint8_t const> bytes(data, size);
  using namespace zguard_test;
  decode_as<order>(bytes);
  decode_as<order_ack>(bytes);
  decode_as<order_v2>(bytes);
  decode_as<tick>(bytes);
  decode_as<note>(bytes);
  decode_as<note_view>(bytes);
  decode_as<bulk>(bytes);
  decode_as<zguard::refusal>(bytes);
  return 0;
}
