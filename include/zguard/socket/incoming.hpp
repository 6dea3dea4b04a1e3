// zguard/socket/incoming.hpp - the message a receive stage judges: its
// frames, the payload found so far and the peer facts the stages fill in.
#pragma once

#include <zmq.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include <zguard/detail/seal_box.hpp>
#include <zguard/envelope.hpp>
#include <zguard/router.hpp>
#include <zguard/socket/deliveries.hpp>

namespace zguard {
inline namespace v0 {
namespace detail {

// One per socket, refilled by each receive: a message's peer facts are
// written once, where they are read, never zeroed or copied on the way
// (they are most of its size).
struct incoming {
  std::vector<zmq::message_t>& frames;  // valid until the next receive
  std::span<std::uint8_t const> payload;
  signed_origin origin;
  peer_info peer;
  std::optional<peer_handle> from;  // ROUTER: who sent it
  std::size_t topic;                // topics<...>: which declared topic it came on
  std::size_t skip = 0;             // address frames before the message (ROUTER), then the vouch frame
  std::uint64_t call_id = 0;        // a correlated request's or reply's call id (detail/call_ids.hpp); 0: none
  answer_key answer;                // a sealed service: the key its answer to this request is sealed with

  // The frames after the address (and vouch) frames: the message itself.
  std::span<zmq::message_t const> message_frames() const {
    return std::span<zmq::message_t const>(frames).subspan(skip);
  }
};

}  // namespace detail
}  // namespace v0
}  // namespace zguard
