// The frame framing of the multi-frame fuzz targets (envelope, zap) and of
// fuzz/make_seeds.py's framed(): byte 0 = number of frames (mod
// max_frames + 1), then per frame a 2-byte little-endian length and the
// bytes, cut short at the end of the input.
#pragma once

#include <zmq.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace zguard_fuzz {

inline std::vector<zmq::message_t> frames_of(std::uint8_t const* data, std::size_t size, std::size_t max_frames) {
  std::vector<zmq::message_t> frames;
  if (size == 0) return frames;
  std::size_t const count = data[0] % (max_frames + 1);
  std::size_t at = 1;
  for (std::size_t i = 0; i < count; ++i) {
    std::size_t len = 0;
    if (at + 2 <= size) len = std::size_t(data[at]) | std::size_t(data[at + 1]) << 8;
    at = std::min(at + 2, size);
    len = std::min(len, size - at);
    frames.emplace_back(data + at, len);
    at += len;
  }
  return frames;
}

}  // namespace zguard_fuzz
