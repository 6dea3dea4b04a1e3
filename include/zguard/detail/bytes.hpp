// zguard/detail/bytes.hpp - the byte primitives every wire format shares:
// a frame's bytes as a span, and little-endian integers.
//
// Every integer in zguard's formats (docs/wire-format.md) is little-endian,
// least significant byte first, whatever the host: written and read a byte
// at a time, so no format depends on the host's byte order or alignment.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace zguard {
inline namespace v0 {
namespace detail {

// The bytes of a frame (zmq::message_t, or anything with data() and size()),
// without copying them.
template <class Frame>
  requires requires(Frame const& f) {
    f.data();
    f.size();
  }
std::span<std::uint8_t const> bytes_of(Frame const& f) {
  return {static_cast<std::uint8_t const*>(static_cast<void const*>(f.data())), f.size()};
}

// U's bytes at p, least significant first.
template <class U>
void put_le(std::uint8_t* p, U v) {
  for (std::size_t i = 0; i < sizeof(U); ++i) p[i] = static_cast<std::uint8_t>(v >> (8 * i));
}
template <class U>
U get_le(std::uint8_t const* p) {
  U v = 0;
  for (std::size_t i = sizeof(U); i-- > 0;) v = static_cast<U>(v << 8 | p[i]);
  return v;
}

inline void put_u16(std::uint8_t* p, std::uint16_t v) { put_le(p, v); }
inline void put_u32(std::uint8_t* p, std::uint32_t v) { put_le(p, v); }
inline void put_u64(std::uint8_t* p, std::uint64_t v) { put_le(p, v); }
inline std::uint16_t get_u16(std::uint8_t const* p) { return get_le<std::uint16_t>(p); }
inline std::uint32_t get_u32(std::uint8_t const* p) { return get_le<std::uint32_t>(p); }
inline std::uint64_t get_u64(std::uint8_t const* p) { return get_le<std::uint64_t>(p); }

}  // namespace detail
}  // namespace v0
}  // namespace zguard
