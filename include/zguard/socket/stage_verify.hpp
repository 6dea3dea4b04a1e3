// zguard/socket/stage_verify.hpp - receive stage "verify" (G7) of
// a signed socket: the envelope is split with every length checked, its
// signature, key, topic, freshness and sequence (replay) checked
// (envelope.hpp); only then is its payload given out.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <zguard/envelope.hpp>
#include <zguard/events.hpp>
#include <zguard/socket/incoming.hpp>
#include <zguard/socket/verdict.hpp>

namespace zguard {
inline namespace v0 {
namespace detail {

// A dropped envelope is logged as verify.<reason> with what it claimed, and
// answered "envelope: <reason>". expected_topic: the topic the envelope
// must name (the channel's, or on a topics<...> SUB the frame's).
template <class Verifier>
verdict verify_stage(Verifier& verifier, incoming& in, bool topic_frame, std::string_view expected_topic,
                     event_log& log, std::string const& label) {
  auto const f = in.message_frames();
  auto envelope = unverified_envelope::parse(f, topic_frame);
  auto outcome = envelope ? std::optional(verifier.verify(*envelope, expected_topic)) : std::nullopt;
  if (outcome && *outcome) {
    in.payload = outcome->payload();
    in.origin = outcome->origin();
    return verdict::accept();
  }
  auto const reason = outcome ? outcome->reason() : drop_reason::malformed;
  log.emit("verify." + std::string(to_string(reason)), severity::warning,
           {{"socket", label},
            {"reason", std::string(to_string(reason))},
            {"claimed_key", envelope ? envelope->claimed_origin().key.hex() : ""},
            {"claimed_epoch", envelope ? std::to_string(envelope->claimed_origin().epoch) : ""},
            {"claimed_sequence", envelope ? std::to_string(envelope->claimed_origin().sequence) : ""},
            {"claimed_topic", envelope ? std::string(envelope->claimed_topic()) : ""},
            {"frames", std::to_string(f.size())},
            {"user_id", in.peer.user_id},
            {"address", in.peer.peer_address}});
  return verdict::answer(decode_reason::peer_refused, "envelope: " + std::string(to_string(reason)));
}

}  // namespace detail
}  // namespace v0
}  // namespace zguard
