// zguard/shared_bytes.hpp - a schema field of at most N bytes that a socket
// decodes without copying: it shares the received frame's storage.
//
// bounded_bytes<N> copies what it decodes into storage of its own; for large
// payloads (64 KiB over inproc) that copy is most of the cost of a typed
// receive. A view into the frame (bounded_bytes_view) would dangle once the
// socket reuses its frame, so channels refuse views. shared_bytes<N> holds a
// reference to the frame instead: libzmq counts the references to a frame's
// content (zmq_msg_copy), so the bytes live as long as any shared_bytes
// holds them, whatever the socket does next. Nothing dangles, nothing is
// copied.
//
// Read-only: the content may be shared with other holders (the socket's
// frame until its next receive; the other subscribers of one inproc PUB
// message). Made from your own bytes, or decoded from a plain buffer, it
// copies them once. The wire encoding is that of bounded_bytes<N>.
#pragma once

#include <zmq.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <new>
#include <span>

#include <zguard/schema.hpp>

namespace zguard {
inline namespace v0 {

namespace detail {
struct shared_bytes_access;
}  // namespace detail

template <std::size_t N>
class shared_bytes {
  static_assert(N <= detail::max_field_bound,
                "zguard::shared_bytes<N>: N must be <= 4294967295 (the wire length prefix is 4 bytes at most)");

 public:
  static constexpr std::size_t max_size = N;

  shared_bytes() noexcept { zmq_msg_init(&m_); }
  // A copy of b, in storage of its own; bound_error when over N.
  explicit shared_bytes(std::span<std::uint8_t const> b) : shared_bytes() { assign(b.data(), b.size()); }
  // Copies share: one more reference to the same bytes.
  shared_bytes(shared_bytes const& o) noexcept : shared_bytes() { share(o.m_, o.offset_, o.size_); }
  shared_bytes(shared_bytes&& o) noexcept : offset_(o.offset_), size_(o.size_) {
    zmq_msg_init(&m_);
    zmq_msg_move(&m_, &o.m_);  // leaves o empty
    o.offset_ = o.size_ = 0;
  }
  shared_bytes& operator=(shared_bytes const& o) noexcept {
    if (this != &o) share(o.m_, o.offset_, o.size_);
    return *this;
  }
  shared_bytes& operator=(shared_bytes&& o) noexcept {
    if (this != &o) {
      zmq_msg_move(&m_, &o.m_);  // closes what this held
      offset_ = o.offset_;
      size_ = o.size_;
      o.offset_ = o.size_ = 0;
    }
    return *this;
  }
  ~shared_bytes() { zmq_msg_close(&m_); }

  std::uint8_t const* data() const noexcept { return static_cast<std::uint8_t const*>(zmq_msg_data(&m_)) + offset_; }
  std::size_t size() const noexcept { return size_; }
  bool empty() const noexcept { return size_ == 0; }
  std::span<std::uint8_t const> bytes() const noexcept { return {data(), size_}; }

  // Replaces the bytes with a copy of n bytes at p, in storage of its own.
  void assign(std::uint8_t const* p, std::size_t n) {
    if (n > N) throw bound_error("zguard::shared_bytes<N>: longer than N");
    zmq_msg_close(&m_);
    if (zmq_msg_init_size(&m_, n) != 0) {
      zmq_msg_init(&m_);
      offset_ = size_ = 0;
      throw std::bad_alloc();
    }
    if (n) std::memcpy(zmq_msg_data(&m_), p, n);
    offset_ = 0;
    size_ = n;
    mark_shared();
  }

  friend bool operator==(shared_bytes const& a, shared_bytes const& b) noexcept {
    return a.size_ == b.size_ && (a.size_ == 0 || std::memcmp(a.data(), b.data(), a.size_) == 0);
  }

 private:
  friend struct detail::shared_bytes_access;

  // Refers to n bytes at `offset` of frame's content (zmq_msg_copy: a
  // reference, or a copy for a frame small enough to live inline).
  void share(zmq_msg_t& frame, std::size_t offset, std::size_t n) noexcept {
    zmq_msg_copy(&m_, &frame);  // closes what this held
    offset_ = offset;
    size_ = n;
  }
  // zmq_msg_copy marks a frame's content shared the first time (a plain
  // write to the source); after that a copy only counts up atomically. So
  // storage of our own is marked at once: copying a const shared_bytes from
  // two threads then writes nothing but the counter.
  void mark_shared() noexcept {
    zmq_msg_t other;
    zmq_msg_init(&other);
    zmq_msg_copy(&other, &m_);
    zmq_msg_close(&other);
  }

  mutable zmq_msg_t m_;  // zmq_msg_data and zmq_msg_copy take it non-const
  std::size_t offset_ = 0;
  std::size_t size_ = 0;
};

namespace detail {
struct shared_bytes_access {
  // Decoding n bytes at p: shared with `frame` when they lie inside it,
  // else copied. The frame is the one the socket received the message in.
  template <std::size_t N>
  static void decode(shared_bytes<N>& v, std::uint8_t const* p, std::size_t n, zmq_msg_t* frame) {
    if (frame) {
      // Addresses as integers: comparing pointers into different objects
      // is unspecified, and p need not lie in the frame.
      auto const begin = reinterpret_cast<std::uintptr_t>(zmq_msg_data(frame));
      auto const at = reinterpret_cast<std::uintptr_t>(p);
      std::size_t const size = zmq_msg_size(frame);
      if (at >= begin && at - begin <= size && n <= size - (at - begin)) {
        v.share(*frame, at - begin, n);
        return;
      }
    }
    v.assign(p, n);
  }
};
}  // namespace detail

}  // namespace v0
}  // namespace zguard
