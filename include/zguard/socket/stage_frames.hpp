// zguard/socket/stage_frames.hpp - receive stage "frames" (G9) of an
// unsigned socket, in the place a signed one verifies: the message is one
// frame, after its channel's topic frame on a topic channel; the payload is
// the last frame.
#pragma once

#include <zguard/envelope.hpp>
#include <zguard/socket/incoming.hpp>
#include <zguard/socket/verdict.hpp>

namespace zguard {
inline namespace v0 {
namespace detail {

// TopicSet: the topic stage checked the frames already. TopicFrame: the
// first frame must be the channel's name (else refused; a SUB has no one
// to answer). Otherwise extra frames are refused and answered.
template <class C, bool TopicSet, bool TopicFrame>
verdict frames_stage(incoming& in) {
  auto const f = in.message_frames();
  if constexpr (TopicSet) {
    // checked by topic_stage
  } else if constexpr (TopicFrame) {
    if (f.size() != 2 || f[0].to_string_view() != C::name)
      return verdict::refuse(decode_error{decode_reason::wrong_schema, "topic frame", 0});
  } else if (f.size() != 1) {
    return verdict::refuse_and_answer(decode_error{decode_reason::trailing_bytes, "extra frames", 0});
  }
  in.payload = bytes_of(f.back());
  return verdict::accept();
}

}  // namespace detail
}  // namespace v0
}  // namespace zguard
