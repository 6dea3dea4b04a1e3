// zguard/slots.hpp - the slots that policies fill.
//
// As in Boost.SML, each policy names the slot it fills
// (`using zguard_slot = slot::transport;`), and zguard::socket finds its
// policies by slot, in any order.
#pragma once

#include <zguard/detail/meta.hpp>

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
struct sealing {};  // optional: payloads sealed end to end (sealed.hpp)
}  // namespace slot

namespace detail {
// Every slot, once: the socket's lookup, its at-most-once check and its
// "not a zguard policy" check all read this list, so a new slot is one
// line here (and one row of socket/slot_table.hpp).
using all_slots = type_list<slot::domain, slot::transport, slot::pattern, slot::mechanism, slot::limits,
                            slot::channel, slot::signing, slot::vouch, slot::batching, slot::authorization,
                            slot::sealing>;
}  // namespace detail
}  // namespace v0
}  // namespace zguard
