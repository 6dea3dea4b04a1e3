// zguard/detail/frame_io.hpp - receiving a socket's frames as libzmq
// hands them out: a message's frames arrive together, so only the first
// can time out. The socket (socket/frames.hpp) judges what they are.
#pragma once

#include <zguard/detail/compiled.hpp>

#include <zmq.hpp>

#include <optional>
#include <vector>

namespace zguard {
inline namespace v0 {
namespace detail {

// One frame, or nullopt when none came within the socket's receive timeout
// (at once when dont_wait), or a signal interrupted the wait.
ZGUARD_DECL std::optional<zmq::message_t> receive_frame(zmq::socket_t& sock, bool dont_wait);
// All frames of one message into `frames`, each received in place into
// the message object the last message left there (libzmq releases its old
// content): a steady stream neither allocates nor moves a frame. False on
// timeout (or a signal); `frames` then holds no frame.
ZGUARD_DECL bool receive_frames_into(zmq::socket_t& sock, std::vector<zmq::message_t>& frames, bool dont_wait);
// All frames of one message, or nullopt as receive_frame.
ZGUARD_DECL std::optional<std::vector<zmq::message_t>> receive_frames(zmq::socket_t& sock, bool dont_wait);
// The frames left of a message whose first frames were read (more: the
// last one read said another follows), dropped.
ZGUARD_DECL void drop_frames(zmq::socket_t& sock, bool more);

}  // namespace detail
}  // namespace v0
}  // namespace zguard

#if !defined(ZGUARD_SEPARATE_COMPILATION)
#include <zguard/impl/frame_io.ipp>
#endif
