// zguard/socket/sealing.hpp - what a signed socket holds (G7): a signer
// where its channel sends, a verifier where it receives; nothing (no
// storage) for the other parts of a socket's type. Made once, on the heap:
// GCC's -Wmaybe-uninitialized misreads their members inside a std::optional
// under the sanitizer build.
#pragma once

#include <cstddef>
#include <memory>
#include <string_view>

#include <zguard/detail/meta.hpp>
#include <zguard/envelope.hpp>
#include <zguard/signing.hpp>

namespace zguard {
inline namespace v0 {
namespace detail {

template <class S, bool Has>
struct signer_part {
  using type = no_part;
};
template <class S>
struct signer_part<S, true> {
  using type = std::unique_ptr<signer<typename S::algorithm>>;
};
template <class S, bool Has>
struct verifier_part {
  using type = no_part;
};
template <class S>
struct verifier_part<S, true> {
  using type = std::unique_ptr<verifier<typename S::algorithm, S::freshness, S::window>>;
};

// The room a batched sender keeps around its batch so that its signer seals
// it in place (signer::seal_in_place); none on an unsigned socket.
template <class S, bool Signs>
struct seal_room {
  static constexpr std::size_t before(std::string_view) { return 0; }
  static constexpr std::size_t after = 0;
};
template <class S>
struct seal_room<S, true> {
  static constexpr std::size_t before(std::string_view topic) { return signer<typename S::algorithm>::room_before(topic); }
  static constexpr std::size_t after = signer<typename S::algorithm>::room_after;
};

}  // namespace detail
}  // namespace v0
}  // namespace zguard
