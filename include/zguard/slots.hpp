// zguard/slots.hpp - the slots that policies fill.
//
// As in Boost.SML, each policy names the slot it fills
// (`using zguard_slot = slot::transport;`), and zguard::socket finds its
// policies by slot, in any order.
#pragma once

namespace zguard {
inline namespace v0 {
namespace slot {
struct domain {};
struct transport {};
struct pattern {};
struct mechanism {};
struct limits {};
struct channel {};  // optional: what messages the socket carries
struct signing {};  // optional: end-to-end signatures (signing.hpp)
struct vouch {};    // optional: requests a broker vouched for (vouch.hpp)
struct batching {}; // optional: several messages a frame (batching.hpp)
struct authorization {};  // optional: enforces permissions (permissions.hpp)
}  // namespace slot
}  // namespace v0
}  // namespace zguard
