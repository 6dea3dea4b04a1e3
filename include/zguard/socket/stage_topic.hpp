// zguard/socket/stage_topic.hpp - receive stage "topic" (G9). A topics<...>
// SUB: the topic frame must be exactly one declared topic, which says which
// schema the payload is; a message on a topic not subscribed now came on a
// prefix match or before an unsubscribe. A topic<"name", S> receiver:
// libzmq's subscription is a prefix, so a message on a longer topic
// ("name.more", another channel) reaches it too, and is skipped.
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

// Judged before verification: a message whose topic frame is longer than
// the channel's name and starts with it is another channel's, delivered by
// libzmq's prefix match; skipped unlogged (its publisher did nothing
// wrong) and unverified. Any other topic frame is the verify or frames
// stage's to refuse.
template <class C>
verdict own_topic_stage(incoming& in) {
  auto const f = in.message_frames();
  if (f.size() != 2) return verdict::accept();
  auto const topic = f[0].to_string_view();
  if (topic.size() > C::name.size() && topic.starts_with(C::name)) return verdict::skip();
  return verdict::accept();
}

}  // namespace detail
}  // namespace v0
}  // namespace zguard
