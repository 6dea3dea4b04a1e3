// zguard/detail/guarded_bytes.hpp - secret bytes in libsodium guarded memory.
//
// sodium_malloc places the bytes between guard pages and sodium_free wipes
// them; seal() makes them read-only once filled, so a stray write faults.
#pragma once

#include <sodium.h>

#include <cstddef>
#include <new>
#include <utility>

#include <zguard/version.hpp>

namespace zguard {
inline namespace v0 {
namespace detail {

class guarded_bytes {
 public:
  explicit guarded_bytes(std::size_t size) : size_(size) {
    check_runtime();
    // sodium_malloc(0) is valid but returns a pointer we must not touch;
    // allocate one byte so data() is always a real guarded region.
    ptr_ = static_cast<unsigned char*>(sodium_malloc(size ? size : 1));
    if (!ptr_) throw std::bad_alloc();
  }
  guarded_bytes(guarded_bytes&& o) noexcept
      : ptr_(std::exchange(o.ptr_, nullptr)), size_(std::exchange(o.size_, 0)) {}
  guarded_bytes& operator=(guarded_bytes&& o) noexcept {
    if (this != &o) {
      release();
      ptr_ = std::exchange(o.ptr_, nullptr);
      size_ = std::exchange(o.size_, 0);
    }
    return *this;
  }
  guarded_bytes(guarded_bytes const&) = delete;
  guarded_bytes& operator=(guarded_bytes const&) = delete;
  ~guarded_bytes() { release(); }

  unsigned char* writable() { return ptr_; }
  void seal() { sodium_mprotect_readonly(ptr_); }
  const unsigned char* data() const { return ptr_; }
  std::size_t size() const { return size_; }
  bool empty() const { return ptr_ == nullptr; }

 private:
  void release() {
    if (ptr_) {
      sodium_mprotect_readwrite(ptr_);
      sodium_free(ptr_);  // wipes before freeing
      ptr_ = nullptr;
    }
  }
  unsigned char* ptr_ = nullptr;
  std::size_t size_ = 0;
};

}  // namespace detail
}  // namespace v0
}  // namespace zguard
