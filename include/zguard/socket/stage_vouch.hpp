// zguard/socket/stage_vouch.hpp - receive stage "vouch" (G3, G18): behind
// a broker, the broker's vouch for the client, bound to these payload
// frames (vouch.hpp), is checked before anything is decoded; the client it
// vouched for, with its kind, is what authorization then judges.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include <zguard/events.hpp>
#include <zguard/socket/incoming.hpp>
#include <zguard/socket/verdict.hpp>
#include <zguard/vouch.hpp>

namespace zguard {
inline namespace v0 {
namespace detail {

// A refused vouch is logged (vouch.refused) and answered; the worker keeps
// serving. An accepted one fills peer.vouched_client and vouched_kind and
// sets its frame aside.
template <std::uint32_t Freshness>
verdict vouch_stage(vouch_checker<Freshness>& checker, incoming& in, event_log& log, std::string const& label) {
  auto v = checker.check(in.message_frames());
  if (v.refused) {
    log.emit("vouch.refused", severity::warning,
             {{"socket", label},
              {"reason", std::string(to_string(*v.refused))},
              {"claimed_client", v.user_id},
              {"claimed_key", v.key},
              {"user_id", in.peer.user_id},
              {"address", in.peer.peer_address}});
    return verdict::answer(decode_reason::peer_refused, "vouch: " + std::string(to_string(*v.refused)));
  }
  in.peer.vouched_client = std::move(v.user_id);
  in.peer.vouched_kind = v.kind;
  ++in.skip;
  return verdict::accept();
}

}  // namespace detail
}  // namespace v0
}  // namespace zguard
