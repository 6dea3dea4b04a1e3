// zguard/socket/stage_batch.hpp - receive stage "batch framing" (G9) of a
// batched receiver: a frame is taken only when its whole framing holds
// (count, every length, each message within the schema's bound;
// batching.hpp), before any of its messages is handed out. A lone message
// or a bad batch is refused as one.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include <zguard/batching.hpp>
#include <zguard/socket/verdict.hpp>

namespace zguard {
inline namespace v0 {
namespace detail {

inline verdict batch_framing_stage(std::span<std::uint8_t const> payload, std::size_t max_messages,
                                   std::size_t max_message_size) {
  if (auto e = check_batch(payload, max_messages, max_message_size)) return verdict::refuse(std::move(*e));
  return verdict::accept();
}

}  // namespace detail
}  // namespace v0
}  // namespace zguard
