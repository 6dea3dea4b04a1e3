// zguard/socket/sealing.hpp - what a signed socket holds (G7): a signer
// where its channel sends, a verifier where it receives; nothing (no
// storage) for the other parts of a socket's type. Made once, on the heap:
// GCC's -Wmaybe-uninitialized misreads their members inside a std::optional
// under the sanitizer build.
#pragma once

#include <memory>

#include <zguard/envelope.hpp>
#include <zguard/signing.hpp>

namespace zguard {
inline namespace v0 {
namespace detail {

// The member a socket keeps where a part does not apply.
struct no_part {};

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

}  // namespace detail
}  // namespace v0
}  // namespace zguard
