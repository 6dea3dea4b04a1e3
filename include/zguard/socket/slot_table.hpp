// zguard/socket/slot_table.hpp - which types may fill each slot: only
// zguard's own tags. The rules compare with those exact types, so a derived
// or look-alike type (struct lan_tcp : tcp {}) could change a rule's
// outcome. One row a slot: the concept that admits, and the sentence when
// a slot holds anything else. Included by socket.hpp ahead of the traits
// (a refusal's "included from" chain stays short).
#pragma once

#include <zguard/batching.hpp>
#include <zguard/channel.hpp>
#include <zguard/detail/meta.hpp>
#include <zguard/detail/policy_set.hpp>
#include <zguard/domain.hpp>
#include <zguard/limits.hpp>
#include <zguard/pattern.hpp>
#include <zguard/sealed.hpp>
#include <zguard/permissions.hpp>
#include <zguard/security.hpp>
#include <zguard/signing.hpp>
#include <zguard/slots.hpp>
#include <zguard/transport.hpp>
#include <zguard/vouch.hpp>

namespace zguard {
inline namespace v0 {
namespace detail {

// One row a slot; T is what fills it (missing<Slot> when nothing does).
// A socket's view has every row as a base (socket/traits.hpp), so each
// refusal is one static_assert right under the socket's instantiation; the
// rules then stop silently at the same slot (socket/rules.hpp).
template <class Slot, class T>
struct slot_row;

template <class T>
struct slot_row<slot::domain, T> {
  static_assert(is_missing<T> || SecurityDomain<T>,
                "zguard::socket: the domain slot holds a type that is not a zguard::domain<\"name\">; "
                "derived or hand-written tags are refused (only zguard's own tags fill a slot)");
};

template <class T>
struct slot_row<slot::transport, T> {
  static_assert(is_missing<T> || Transport<T>,
                "zguard::socket: the transport slot holds a type that is not a zguard transport tag "
                "(tcp, ipc, inproc, pgm, epgm); derived or hand-written tags are refused");
};

template <class T>
struct slot_row<slot::pattern, T> {
  static_assert(is_missing<T> || Pattern<T>,
                "zguard::socket: the pattern slot holds a type that is not a zguard pattern tag "
                "(req, rep, dealer, router, pub, sub, xpub, xsub, push, pull, pair); derived or "
                "hand-written tags are refused");
};

template <class T>
struct slot_row<slot::mechanism, T> {
  static_assert(is_missing<T> || Mechanism<T>,
                "zguard::socket: the mechanism slot holds a type that is not a zguard mechanism tag "
                "(curve_server, curve_client, plain_server, plain_client, null_mechanism, "
                "insecure<\"reason\">); derived or hand-written tags are refused");
};

template <class T>
struct slot_row<slot::limits, T> {
  static_assert(is_missing<T> || Limits<T>,
                "zguard::socket: the limits slot holds a type that is not a zguard::limits<...>; "
                "derived or hand-written limits are refused");
};

template <class T>
struct slot_row<slot::channel, T> {
  static_assert(is_missing<T> || Channel<T>,
                "zguard::socket: the channel slot holds a type that is not a zguard::service<...>, "
                "topic<...> or stream<...>; derived or hand-written channels are refused");
};

template <class T>
struct slot_row<slot::signing, T> {
  static_assert(is_missing<T> || SigningPolicy<T>,
                "zguard::socket: the signing slot holds a type that is not a zguard::signing<...>; "
                "derived or hand-written signing policies are refused");
};

template <class T>
struct slot_row<slot::vouch, T> {
  static_assert(is_missing<T> || VouchPolicy<T>,
                "zguard::socket: the vouch slot holds a type that is not a zguard::vouched<...>; "
                "derived or hand-written policies are refused");
};

template <class T>
struct slot_row<slot::batching, T> {
  static_assert(is_missing<T> || BatchingPolicy<T>,
                "zguard::socket: the batching slot holds a type that is not a zguard::batched<N, "
                "MaxDelayMs> or zguard::coalesced<N, GapUs>; derived or hand-written policies are refused");
};

template <class T>
struct slot_row<slot::authorization, T> {
  static_assert(is_missing<T> || AuthorizationPolicy<T>,
                "zguard::socket: the authorization slot holds a type that is not zguard::authorized; "
                "derived or hand-written policies are refused");
};

template <class T>
struct slot_row<slot::sealing, T> {
  static_assert(is_missing<T> || SealingPolicy<T>,
                "zguard::socket: the sealing slot holds a type that is not a zguard::sealed<...>; "
                "derived or hand-written policies are refused");
};

}  // namespace detail
}  // namespace v0
}  // namespace zguard
