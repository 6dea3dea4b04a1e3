// zguard/socket/stage_decode.hpp - receive stage "decode" (G9): the
// payload is decoded as the channel's schema (or one_of), or on a
// topics<...> SUB as the schema of the topic it came on; every length,
// range and the schema identity are checked (codec.hpp). The payload lies
// in the last frame (the sealed envelope or the batch), so shared_bytes
// fields share that frame.
#pragma once

#include <optional>
#include <string>
#include <utility>

#include <zguard/channel.hpp>
#include <zguard/codec.hpp>
#include <zguard/one_of.hpp>
#include <zguard/socket/incoming.hpp>
#include <zguard/socket/verdict.hpp>

namespace zguard {
inline namespace v0 {
namespace detail {

// Decodes into `into` (its storage reused); the error when it does not decode.
template <class C, class Msg>
std::optional<decode_error> decode_delivered_into(Msg& into, incoming const& in) {
  zmq_msg_t* const frame = in.frames.empty() ? nullptr : in.frames.back().handle();
  if constexpr (is_topic_set<C>) return decode_topic_message(into, in.topic, in.payload, frame);
  else return decode_received(into, in.payload, frame);
}

// The stage: a payload that does not decode is refused and answered. In a
// batch (InBatch) the field names its place: "batch[i].field".
template <class C, bool InBatch, class Msg>
verdict decode_stage(Msg& into, incoming const& in) {
  auto e = decode_delivered_into<C>(into, in);
  if (!e) return verdict::accept();
  if constexpr (InBatch)
    e->field = "batch[" + std::to_string(in.origin.batch_index) + "]" + (e->field.empty() ? "" : "." + e->field);
  return verdict::refuse_and_answer(std::move(*e));
}

}  // namespace detail
}  // namespace v0
}  // namespace zguard
