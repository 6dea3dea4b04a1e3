// zguard/socket/stage_rate.hpp - receive stage "rate" (G14): a token bucket
// per peer, charged before any decoding or signature check, so a flood
// costs one lookup a message.
#pragma once

#include <cstddef>
#include <string>
#include <type_traits>

#include <zguard/batching.hpp>
#include <zguard/call_result.hpp>
#include <zguard/events.hpp>
#include <zguard/rate_limit.hpp>
#include <zguard/socket/incoming.hpp>
#include <zguard/socket/verdict.hpp>
#include <zguard/transport.hpp>

namespace zguard {
inline namespace v0 {
namespace detail {

// The bucket a peer pays from: its authenticated identity, else its address
// (rate_limit.hpp, bucket_of).
template <class Tr>
bucket_id rate_peer_of(peer_info const& peer) {
  return bucket_of(Tr::M::kind, peer.user_id.view(), peer.peer_address.view(), std::is_same_v<typename Tr::T, ipc>);
}

// One token for the message (a batch pays for its first message here, for
// the rest in charge_batch once its framing held). Without one it is
// refused, answered "rate limited", and logged as rate.limited.
inline verdict rate_stage(token_buckets& buckets, bucket_id who, peer_info const& peer, event_log& log,
                          std::string const& label) {
  if (buckets.admit(who)) return verdict::accept();
  log.emit("rate.limited", severity::warning,
           {{"socket", label}, {"user_id", peer.user_id}, {"address", peer.peer_address}, {"dropped", "1"}});
  return verdict::answer(decode_reason::peer_refused, rate_limited_text(buckets.retry_after(who)));
}

// A batch pays a token a message: its first was paid with the frame, the
// others now that its framing (and signature) held. Those the peer has no
// token for are dropped from the end of the batch, in one rate.limited
// event that counts them.
inline void charge_batch(token_buckets& buckets, bucket_id who, batch_cursor& batch, peer_info const& peer,
                         event_log& log, std::string const& label) {
  std::size_t const rest = batch.left() - 1;
  std::size_t const paid = rest ? buckets.take(who, rest) : 0;
  if (paid == rest) return;
  batch.keep(paid + 1);
  log.emit("rate.limited", severity::warning,
           {{"socket", label},
            {"user_id", peer.user_id},
            {"address", peer.peer_address},
            {"dropped", std::to_string(rest - paid)}});
}

}  // namespace detail
}  // namespace v0
}  // namespace zguard
