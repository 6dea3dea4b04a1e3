// zguard/impl/frame_io.ipp - receiving frames (detail/frame_io.hpp).
#pragma once

#include <zguard/detail/frame_io.hpp>

#include <cerrno>
#include <cstddef>
#include <iterator>

#include <zmq_addon.hpp>

namespace zguard {
inline namespace v0 {
namespace detail {

ZGUARD_DECL std::optional<zmq::message_t> receive_frame(zmq::socket_t& sock, bool dont_wait) {
  zmq::message_t msg;
  try {
    if (!sock.recv(msg, dont_wait ? zmq::recv_flags::dontwait : zmq::recv_flags::none)) return std::nullopt;
  } catch (zmq::error_t const& e) {
    if (e.num() != EINTR) throw;
    return std::nullopt;
  }
  return msg;
}

ZGUARD_DECL bool receive_frames_into(zmq::socket_t& sock, std::vector<zmq::message_t>& frames, bool dont_wait) {
  std::size_t n = 0;
  for (bool more = true; more; ++n) {
    if (n == frames.size()) frames.emplace_back();
    zmq_msg_t* const m = frames[n].handle();
    if (zmq_msg_recv(m, sock.handle(), dont_wait ? ZMQ_DONTWAIT : 0) < 0) {
      zmq::error_t const error;  // errno now, before closing frames
      frames.clear();
      // libzmq hands out a message's frames together: only the first can time out.
      if (error.num() == EAGAIN || error.num() == EINTR) return false;
      throw error;
    }
    more = zmq_msg_more(m) != 0;
  }
  frames.erase(frames.begin() + std::ptrdiff_t(n), frames.end());
  return true;
}

ZGUARD_DECL std::optional<std::vector<zmq::message_t>> receive_frames(zmq::socket_t& sock, bool dont_wait) {
  std::vector<zmq::message_t> frames;
  frames.reserve(4);  // a raw multipart message; typed ones have at most three (vouch, topic, payload)
  try {
    auto const flags = dont_wait ? zmq::recv_flags::dontwait : zmq::recv_flags::none;
    if (!zmq::recv_multipart(sock, std::back_inserter(frames), flags)) return std::nullopt;
  } catch (zmq::error_t const& e) {
    if (e.num() != EINTR) throw;
    return std::nullopt;
  }
  return frames;
}

ZGUARD_DECL void drop_frames(zmq::socket_t& sock, bool more) {
  for (zmq::message_t part; more; more = part.more())
    if (!sock.recv(part, zmq::recv_flags::dontwait)) break;  // a message's frames arrive together
}

}  // namespace detail
}  // namespace v0
}  // namespace zguard
