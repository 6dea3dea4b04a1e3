// zguard/socket/stage_seal.hpp - receive stage "open" (G19) of a sealed
// socket: a service opens each request sealed to its key (fresh, not
// replayed, authentic), a client each answer sealed to one of its own
// requests; the plaintext, in a frame of its own, takes the received
// frame's place. On a
// signed socket this runs after verify: the signature covers what was
// sealed. Layouts: docs/wire-format.md, "Sealed payloads".
#pragma once

#include <zmq.hpp>

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <zguard/call_result.hpp>
#include <zguard/channel.hpp>
#include <zguard/codec.hpp>
#include <zguard/detail/bytes.hpp>
#include <zguard/detail/call_ids.hpp>
#include <zguard/detail/feed_seal.hpp>
#include <zguard/detail/meta.hpp>
#include <zguard/detail/seal_box.hpp>
#include <zguard/events.hpp>
#include <zguard/socket/incoming.hpp>
#include <zguard/socket/verdict.hpp>

namespace zguard {
inline namespace v0 {
namespace detail {

// A client's requests whose answers it still waits for, by the name an
// answer carries (the request's ephemeral public key); the oldest is
// forgotten past Capacity (a REQ waits for its newest request only).
template <std::size_t Capacity>
class pending_answers {
 public:
  void add(answer_key const& k) {
    if (keys_.size() >= Capacity) keys_.erase(keys_.begin());
    keys_.push_back(k);
  }
  // The key of the request named `name`; null when none waits.
  answer_key const* find(std::array<std::uint8_t, 32> const& name) const {
    for (auto const& k : keys_)
      if (sodium_memcmp(k.request.data(), name.data(), name.size()) == 0) return &k;
    return nullptr;
  }
  // Forgets it (its answer was read).
  void erase(answer_key const* k) { keys_.erase(keys_.begin() + (k - keys_.data())); }
  std::size_t size() const { return keys_.size(); }

 private:
  std::vector<answer_key> keys_;
};

// What a sealed service holds: its opener (X: the sealed<...> policy).
template <class X, bool Opens>
struct opener_part {
  using type = no_part;
};
template <class X>
struct opener_part<X, true> {
  using type = std::unique_ptr<request_opener<X::freshness, X::window>>;
};

// The opened plaintext takes the received frame's place (the peer facts
// were read from it before the stages): decode then shares it, as it
// would have shared the frame.
inline void take_plaintext(incoming& in, zmq::message_t&& plain, std::size_t payload_at = 0) {
  in.frames.back() = std::move(plain);
  in.payload = bytes_of(in.frames.back()).subspan(payload_at);
}

inline void log_seal_drop(seal_drop why, incoming const& in, event_log& log, std::string const& label) {
  log.emit("seal." + std::string(to_string(why)), severity::warning,
           {{"socket", label},
            {"reason", std::string(to_string(why))},
            {"user_id", in.peer.user_id},
            {"address", in.peer.peer_address}});
}

// A service: the request opened with its key, its answer's key kept in
// `in.answer`. A refused request is answered "sealed: <reason>", unsealed
// (there is no key to seal it to).
template <class Opener>
verdict open_request_stage(Opener& opener, incoming& in, event_log& log, std::string const& label) {
  in.answer.armed = false;
  zmq::message_t plain;
  if (auto why = opener.open(in.payload, in.answer, plain)) {
    log_seal_drop(*why, in, log, label);
    return verdict::answer(decode_reason::peer_refused, "sealed: " + std::string(to_string(*why)));
  }
  take_plaintext(in, std::move(plain), seal_run_secret_size);
  return verdict::accept();
}

// A client's refused answer: logged; a REQ gives that reply up (it may not
// receive twice), a caller's DEALER reads on. Nothing is answered.
inline verdict client_drop(seal_drop why, incoming const& in, event_log& log, std::string const& label) {
  log_seal_drop(why, in, log, label);
  return verdict::answer(decode_reason::peer_refused, "sealed: " + std::string(to_string(why)));
}

// Whether an unsealed payload is a service's zguard.refusal (behind a call
// id or not): what a sealed service answers a request it could not open,
// and a broker or the service's stages answer before opening.
inline bool is_unsealed_refusal(std::span<std::uint8_t const> payload) {
  if (auto c = read_call_prefix(payload); c && c->id != 0) payload = c->message;
  return bool(decode<refusal>(payload));
}

// A client: an answer opened with the key of the request it names, which
// is then forgotten (an answer is read once). Unsealed, only a refusal
// passes (it tells the caller why, and reveals nothing a device could not
// say by dropping the request). Anything else is refused (client_drop).
template <class Pending>
verdict open_answer_stage(Pending& pending, incoming& in, event_log& log, std::string const& label) {
  auto const frame = in.payload;
  if (frame.empty() || frame[0] != sealed_answer_kind) {
    if (is_unsealed_refusal(in.payload)) return verdict::accept();
    return client_drop(seal_drop::not_sealed, in, log, label);
  }
  auto const name = answer_names(frame);
  auto const* key = name ? pending.find(*name) : nullptr;
  zmq::message_t plain(name ? frame.size() - sealed_answer_overhead : 0);
  // Forgotten only once it opened: a forged answer naming a request does not cost its real answer.
  auto const why = !name ? std::optional(seal_drop::malformed)
                   : !key ? std::optional(seal_drop::unknown_request)
                          : open_answer(frame, *key, static_cast<std::uint8_t*>(plain.data()));
  if (why) return client_drop(*why, in, log, label);
  pending.erase(key);
  take_plaintext(in, std::move(plain));
  return verdict::accept();
}

// A sealed subscriber (after verify: the publisher's signature and the
// envelope's replay window hold). A key announcement installs the epoch
// key sealed to us and is not handed out; a sealed message opens under
// the key of its publisher and epoch. Anything else is refused.
template <class Opener>
verdict open_feed_stage(Opener& opener, incoming& in, event_log& log, std::string const& label) {
  auto const frame = in.payload;
  if (!frame.empty() && frame[0] == key_announcement_kind) {
    auto const r = opener.take_announcement(frame, in.origin.key);
    if (r.drop && !r.quiet) log_seal_drop(*r.drop, in, log, label);
    return verdict::skip();
  }
  if (frame.empty() || frame[0] != sealed_feed_kind) return client_drop(seal_drop::not_sealed, in, log, label);
  zmq::message_t plain;
  std::size_t size = 0;
  if (auto why = opener.open(frame, in.origin.key, plain, size)) {
    if (*why == seal_drop::unknown_epoch && !opener.first_unknown(in.origin.key, Opener::epoch_named(frame)))
      return verdict::skip();  // said once an epoch
    return client_drop(*why, in, log, label);
  }
  take_plaintext(in, std::move(plain));
  in.payload = in.payload.first(size);
  return verdict::accept();
}

}  // namespace detail
}  // namespace v0
}  // namespace zguard
