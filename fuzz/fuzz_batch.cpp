// libFuzzer target for the batch framing (batching.hpp, docs/wire-format.md
// "Batches"): any bytes, checked as a batch of test.tick messages as a
// batched receiver does. The check must never crash or read out of range;
// what it accepts must split into messages that lie inside the input and
// cover it exactly; and where every message decodes, packing them again
// must give the same bytes (one batch, one spelling).
#include "../tests/schemas.hpp"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <span>

namespace {
constexpr std::size_t max_count = 16;
}

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
  using zguard_test::tick;
  std::span<std::uint8_t const> bytes(data, size);
  if (auto e = zguard::detail::check_batch(bytes, max_count, zguard::max_encoded_size<tick>)) {
    if (e->offset > size) {
      std::fprintf(stderr, "batch error offset %zu past the input (%zu bytes)\n", e->offset, size);
      std::abort();
    }
    return 0;
  }
  zguard::detail::batch_cursor cursor(bytes);
  zguard::detail::batch_builder<tick, max_count> again;
  std::size_t covered = zguard::detail::batch_header_size;
  bool all_decode = true;
  while (!cursor.done()) {
    auto item = cursor.next();
    if (item.data() < data || item.data() + item.size() > data + size) {
      std::fprintf(stderr, "a batch item lies outside the input\n");
      std::abort();
    }
    covered += zguard::detail::batch_item_prefix + item.size();
    auto decoded = zguard::decode<tick>(item);
    if (decoded) again.add(*decoded, {});
    else all_decode = false;
  }
  if (covered != size) {
    std::fprintf(stderr, "accepted batch items cover %zu of %zu bytes\n", covered, size);
    std::abort();
  }
  if (all_decode && (again.bytes().size() != size || std::memcmp(again.bytes().data(), data, size) != 0)) {
    std::fprintf(stderr, "re-packed batch differs (%zu -> %zu bytes)\n", size, again.bytes().size());
    std::abort();
  }
  return 0;
}
