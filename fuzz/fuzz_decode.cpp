// libFuzzer target for zguard::decode (G9): any bytes, decoded as every test
// schema and as two one_of<...> sets. Decoding must never crash, read out of range or throw; and the
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

[[noreturn]] void fail(char const* what, std::size_t in, std::size_t out) {
  std::fprintf(stderr, "%s (%zu bytes in, %zu out)\n", what, in, out);
  std::abort();
}

// What decode() gave for bytes: an error must point inside the input (its
// reason is one we document); a value must re-encode to exactly the bytes.
template <class R>
void check_outcome(R&& decoded, std::span<std::uint8_t const> bytes, char const* what) {
  if (!decoded) {
    if (decoded.error().offset > bytes.size()) fail("decode_error offset past the input", decoded.error().offset, bytes.size());
    return;
  }
  auto const again = zguard::encode(*decoded);
  if (again.size() != bytes.size() || std::memcmp(again.data(), bytes.data(), bytes.size()) != 0)
    fail(what, bytes.size(), again.size());
}

template <class S>
void decode_as(std::span<std::uint8_t const> bytes) {
  check_outcome(zguard::decode<S>(bytes), bytes, S::zguard_schema_id.name.data());
}

// A one_of<...> reader: what decodes is the alternative the header names,
// and it re-encodes to the same bytes; decode_into a value that held
// another alternative gives the same outcome and the same value.
template <class V>
void decode_one_of(std::span<std::uint8_t const> bytes) {
  auto decoded = zguard::decode<V>(bytes);
  check_outcome(decoded, bytes, "one_of decode/encode round trip differs");
  V reused{};
  auto const into_error = zguard::decode_into(reused, bytes);
  if (decoded.ok() == into_error.has_value()) fail("one_of: decode and decode_into disagree", bytes.size(), 0);
  if (decoded.ok() && zguard::encode(reused) != zguard::encode(*decoded))
    fail("one_of: decode_into decoded another value", bytes.size(), 0);
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
  decode_one_of<zguard::one_of<order, tick>>(bytes);
  decode_one_of<zguard::one_of<order, order_v2>>(bytes);
  return 0;
}
