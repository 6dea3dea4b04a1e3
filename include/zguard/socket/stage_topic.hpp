// zguard/socket/stage_topic.hpp - receive stage "topic" (G9) of a
// topics<...> SUB: the topic frame must be exactly one declared topic,
// which says which schema the payload is; a message on a topic not
// subscribed now came on a prefix match or before an unsubscribe.
#pragma once

#include <array>
#include <cstddef>

#include <zguard/socket/incoming.hpp>
#include <zguard/socket/verdict.hpp>

namespace zguard {
inline namespace v0 {
namespace detail {

// Judged before verification: an undeclared topic frame is refused, an
// unsubscribed one skipped. in.topic is the declared topic's place.
template <class C>
verdict topic_stage(incoming& in, std::array<bool, C::count> const& subscribed) {
  auto const f = in.message_frames();
  in.topic = f.size() == 2 ? C::find(f[0].to_string_view()) : C::count;
  if (in.topic == C::count) return verdict::refuse(decode_error{decode_reason::wrong_schema, "topic frame", 0});
  if (!subscribed[in.topic]) return verdict::skip();
  return verdict::accept();
}

}  // namespace detail
}  // namespace v0
}  // namespace zguard
