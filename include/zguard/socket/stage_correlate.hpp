// zguard/socket/stage_correlate.hpp - receive stage "correlate": a call id
// in front of the message (detail/call_ids.hpp, docs/wire-format.md,
// "Correlated calls") is read and taken off before the message is decoded.
// On a signed socket this runs after verify, on the verified payload: the
// id is the signer's. A service echoes it in its answer; a caller (a DEALER
// with a service channel, caller.hpp) matches the answer to its call by it.
#pragma once

#include <zguard/codec.hpp>
#include <zguard/detail/call_ids.hpp>
#include <zguard/socket/incoming.hpp>
#include <zguard/socket/verdict.hpp>

namespace zguard {
inline namespace v0 {
namespace detail {

// A message without the prefix passes as it is (call_id 0: a REQ's request,
// or an answer a caller refuses itself); one whose id is cut short or 0 is
// refused (a service answers why).
inline verdict correlate_stage(incoming& in) {
  auto const c = read_call_prefix(in.payload);
  if (!c) return in.call_id = 0, verdict::accept();
  if (c->id == 0) {
    in.call_id = 0;
    auto const why = in.payload.size() < call_id_prefix_size ? decode_reason::truncated : decode_reason::out_of_range;
    return verdict::refuse_and_answer(decode_error{why, "call id", 1});
  }
  in.call_id = c->id;
  in.payload = c->message;
  return verdict::accept();
}

// Before the stages: the id an unsigned correlated message names, so that a
// refusal before decoding (rate, vouch, authorization, frames) still reaches
// its call. A signed message's id is read only once it verified.
inline void peek_call_id(incoming& in) {
  auto const c = in.frames.empty() ? std::nullopt : read_call_prefix(bytes_of(in.frames.back()));
  in.call_id = c ? c->id : 0;
}

}  // namespace detail
}  // namespace v0
}  // namespace zguard
