// zguard/socket/arguments.hpp - where each constructor argument of a socket
// sits. After the context, in this order:
//
//   the mechanism's (0 to 2: socket/argument_rules.hpp, check_mechanism_arguments)
//   zguard::runtime_limits        a socket with ranged limit tags
//   zguard::signing_key<Alg>      a signed socket whose channel sends
//   zguard::verify_keys<Alg>      a signed socket whose channel receives
//   zguard::sealing_public_key    a sealed client (its service's key)
//   zguard::sealing_key           a sealed service or subscriber (its own)
//   zguard::sealing_members       a sealed publisher (its members' public keys)
//   verify_keys<blake2b_mac>      a vouched<...> worker (its broker's key)
//   zguard::permissions           an authorized socket (kept by reference)
//
// The rules check the list against this layout, the core takes the
// mechanism's arguments, the runtime limits and the permissions from it,
// the typed facet its keys: one layout, so they cannot disagree.
#pragma once

#include <cstddef>

namespace zguard {
inline namespace v0 {
namespace detail {

// Tr is the socket's traits (socket/traits.hpp), N the number of arguments
// after the context. The parts after the mechanism's are counted from the
// end: a list with a wrong number of mechanism arguments still points each
// part at the argument the user wrote for it, so the check says which part
// is wrong. A part the list is too short for is `absent` (nth_type: void).
template <class Tr, std::size_t N>
struct argument_layout {
  static constexpr std::size_t absent = std::size_t(-1);

  // How many of each part the socket takes (0 or 1).
  static constexpr std::size_t runtime_limits_count = Tr::takes_runtime_limits;
  static constexpr std::size_t signing_keys_count = Tr::signs;
  static constexpr std::size_t verify_keys_count = Tr::verifies;
  static constexpr std::size_t sealing_count = Tr::is_sealed;
  static constexpr std::size_t vouch_count = Tr::checks_vouch;
  static constexpr std::size_t permissions_count = Tr::is_authorized;

 private:
  // How many arguments follow the mechanism's, and follow each part.
  static constexpr std::size_t after_permissions = 0;
  static constexpr std::size_t after_vouch = after_permissions + permissions_count;
  static constexpr std::size_t after_sealing = after_vouch + vouch_count;
  static constexpr std::size_t after_verify_keys = after_sealing + sealing_count;
  static constexpr std::size_t after_signing_keys = after_verify_keys + verify_keys_count;
  static constexpr std::size_t after_runtime_limits = after_signing_keys + signing_keys_count;
  static constexpr std::size_t after_mechanism = after_runtime_limits + runtime_limits_count;
  // The position of a part followed by `after` arguments.
  static constexpr std::size_t at(std::size_t after) { return N > after ? N - 1 - after : absent; }

 public:
  static constexpr std::size_t mechanism_first = 0;
  static constexpr std::size_t mechanism_count = N >= after_mechanism ? N - after_mechanism : 0;
  static constexpr std::size_t runtime_limits_at = mechanism_first + mechanism_count;  // right after them
  static constexpr std::size_t signing_keys_at = at(after_signing_keys);
  static constexpr std::size_t verify_keys_at = at(after_verify_keys);
  static constexpr std::size_t sealing_at = at(after_sealing);
  static constexpr std::size_t vouch_at = at(after_vouch);
  static constexpr std::size_t permissions_at = at(after_permissions);
};

}  // namespace detail
}  // namespace v0
}  // namespace zguard
