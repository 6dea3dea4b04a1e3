// zguard/socket/argument_rules.hpp - what a socket's constructor must be
// given (G3, G4, G7, G10, G18), checked against the layout of
// socket/arguments.hpp: each part in its place, then what the mechanism
// needs; and that the permissions are a named object. Each broken rule is
// one static_assert that names the argument and where it goes.
#pragma once

#include <cstddef>
#include <type_traits>
#include <utility>

#include <zguard/auth.hpp>
#include <zguard/context.hpp>
#include <zguard/detail/meta.hpp>
#include <zguard/detail/policy_set.hpp>
#include <zguard/keys.hpp>
#include <zguard/limits.hpp>
#include <zguard/permissions.hpp>
#include <zguard/sealed.hpp>
#include <zguard/security.hpp>
#include <zguard/signing.hpp>
#include <zguard/socket/arguments.hpp>

namespace zguard {
inline namespace v0 {
namespace detail {

// Concepts: no specialization can make another type a key.
template <class T, class A>
concept is_signing_key_of = std::is_same_v<T, signing_key<A>>;
template <class T, class A>
concept is_verify_keys_of = std::is_same_v<T, verify_keys<A>>;
// What the mechanism needs: Tr is the socket's traits (socket/traits.hpp).
template <class Tr, class... A>
constexpr bool check_mechanism_arguments() {
  using D = typename Tr::D;
  using M = typename Tr::M;
  constexpr bool has_auth = (std::is_same_v<A, authenticator<D>> || ...);
  constexpr bool other_auth =
      ((requires { typename A::domain_type; } && !std::is_same_v<A, authenticator<D>> &&
        !std::is_same_v<A, context<D>>) || ...);
  if constexpr (M::kind == mechanism_kind::curve && M::role == mechanism_role::server) {
    constexpr bool ok = std::is_same_v<type_list<A...>, type_list<authenticator<D>, keypair>>;
    static_assert(!other_auth, "zguard::socket: the authenticator belongs to another security domain (G10)");
    static_assert(other_auth || has_auth,
                  "zguard::socket: a CURVE server needs an authenticator of its context "
                  "(zguard::authenticator<D>): without a ZAP handler libzmq accepts every "
                  "client; write socket(ctx, auth, server_keypair) (G3)");
    static_assert(!has_auth || ok, "zguard::socket: a CURVE server is made as socket(ctx, auth, server_keypair) (G4)");
    return ok;
  } else if constexpr (M::kind == mechanism_kind::curve) {
    constexpr bool ok = std::is_same_v<type_list<A...>, type_list<keypair, public_key>>;
    static_assert(ok,
                  "zguard::socket: a CURVE client needs its own keypair and the server's "
                  "public key: socket(ctx, client_keypair, server_public_key) (G4)");
    return ok;
  } else if constexpr (M::kind == mechanism_kind::plain && M::role == mechanism_role::server) {
    constexpr bool ok = std::is_same_v<type_list<A...>, type_list<authenticator<D>>>;
    static_assert(!other_auth, "zguard::socket: the authenticator belongs to another security domain (G10)");
    static_assert(other_auth || ok,
                  "zguard::socket: a PLAIN server needs an authenticator of its context to "
                  "check passwords: socket(ctx, auth) (G2, G3)");
    return ok;
  } else if constexpr (M::kind == mechanism_kind::plain) {
    constexpr bool ok = std::is_same_v<type_list<A...>, type_list<plain_credentials>>;
    static_assert(ok,
                  "zguard::socket: a PLAIN client needs its credentials: "
                  "socket(ctx, zguard::plain_credentials{user, password})");
    return ok;
  } else {
    static_assert(sizeof...(A) == 0, "zguard::socket: a NULL socket takes no keys or authenticator");
    return sizeof...(A) == 0;
  }
}

// How many arguments the mechanism takes after the context: CURVE two
// (server: authenticator, keypair; client: keypair, server key), PLAIN one
// (server: authenticator; client: credentials), NULL none.
template <class M>
constexpr std::size_t mechanism_argument_count() {
  if constexpr (M::kind == mechanism_kind::curve) return 2;
  else if constexpr (M::kind == mechanism_kind::plain) return 1;
  else return 0;
}

// The whole argument list after the context (decayed types), against its
// layout (socket/arguments.hpp): not more than the socket takes, each part
// in its place, then what the mechanism needs.
template <class Tr, class... A>
constexpr bool check_socket_arguments() {
  using at = argument_layout<Tr, sizeof...(A)>;
  constexpr std::size_t takes = mechanism_argument_count<typename Tr::M>() + at::runtime_limits_count +
                                at::signing_keys_count + at::verify_keys_count + at::sealing_count +
                                at::vouch_count + at::permissions_count;
  using runtime_arg = typename nth_type<at::runtime_limits_at, A...>::type;
  using key_arg = typename nth_type<at::signing_keys_at, A...>::type;
  using keys_arg = typename nth_type<at::verify_keys_at, A...>::type;
  using vouch_arg = typename nth_type<at::vouch_at, A...>::type;
  using sealing_arg = typename nth_type<at::sealing_at, A...>::type;
  using permissions_arg = typename nth_type<at::permissions_at, A...>::type;
  constexpr bool stray_runtime_limits = !at::runtime_limits_count && (std::is_same_v<A, runtime_limits> || ...);
  if constexpr (sizeof...(A) > takes && !stray_runtime_limits) {
    // Said first: counted from the end, an extra argument would make a
    // right part look wrong.
    static_assert(dependent_false<Tr>,
                  "zguard::socket: more constructor arguments than this socket takes: after the context, the "
                  "mechanism's (CURVE server: authenticator, keypair; CURVE client: keypair, server public key; "
                  "PLAIN server: authenticator; PLAIN client: plain_credentials; NULL: none), then each part the "
                  "type declares, once, in this order: runtime_limits (ranged limit tags), signing_key<Alg> "
                  "(signed, sends), verify_keys<Alg> (signed, receives), sealing_public_key (sealed client), "
                  "sealing_key (sealed service or subscriber) or sealing_members (sealed publisher), "
                  "verify_keys<blake2b_mac> (vouched<...>), permissions (authorized)");
    return false;
  } else if constexpr (at::permissions_count && !std::is_same_v<permissions_arg, permissions>) {
    static_assert(dependent_false<permissions_arg>,
                  "zguard::socket: an authorized socket enforces a permission set: pass the "
                  "zguard::permissions (permissions::from_file or built in code) as the last constructor "
                  "argument (G18)");
    return false;
  } else if constexpr (at::vouch_count && !is_verify_keys_of<vouch_arg, blake2b_mac>) {
    static_assert(dependent_false<vouch_arg>,
                  "zguard::socket: a vouched<...> worker needs the key it shares with its broker: pass "
                  "zguard::verify_keys<zguard::blake2b_mac> after the signing keys, as the last constructor "
                  "argument or, on an authorized socket, just before the zguard::permissions");
    return false;
  } else if constexpr (at::sealing_count && Tr::opens_sealed && !std::is_same_v<sealing_arg, sealing_key>) {
    static_assert(dependent_false<sealing_arg>,
                  "zguard::socket: a sealed service opens what its clients sealed to it: pass its "
                  "zguard::sealing_key after the signing and verify keys, before a vouched<...> worker's key "
                  "and the permissions (G19)");
    return false;
  } else if constexpr (at::sealing_count && Tr::seals_feed && !std::is_same_v<sealing_arg, sealing_members>) {
    static_assert(dependent_false<sealing_arg>,
                  "zguard::socket: a sealed publisher seals each epoch key to its members: pass the "
                  "zguard::sealing_members (their sealing_public_keys) after the signing key, before the "
                  "permissions (G19)");
    return false;
  } else if constexpr (at::sealing_count && Tr::opens_feed && !std::is_same_v<sealing_arg, sealing_key>) {
    static_assert(dependent_false<sealing_arg>,
                  "zguard::socket: a sealed subscriber opens the epoch keys its publisher seals to it: pass its "
                  "zguard::sealing_key after the verify keys, before the permissions (G19)");
    return false;
  } else if constexpr (at::sealing_count && Tr::seals_requests && !std::is_same_v<sealing_arg, sealing_public_key>) {
    static_assert(dependent_false<sealing_arg>,
                  "zguard::socket: a sealed client seals each request to its service's key and is pinned to "
                  "it: pass the service's zguard::sealing_public_key after the signing and verify keys, before "
                  "the permissions (G19)");
    return false;
  } else if constexpr (at::runtime_limits_count && !std::is_same_v<runtime_arg, runtime_limits>) {
    static_assert(dependent_false<runtime_arg>,
                  "zguard::socket: a socket with ranged limit tags (send_hwm_in, recv_hwm_in, linger_ms_in, "
                  "send_timeout_ms_in, recv_timeout_ms_in) is given the chosen values: pass a "
                  "zguard::runtime_limits (or zguard::config::limits_for<Socket>) right after the mechanism's "
                  "arguments");
    return false;
  } else if constexpr (stray_runtime_limits) {
    static_assert(dependent_false<runtime_arg>,
                  "zguard::socket: this socket's limits are all fixed by its type: it takes no "
                  "zguard::runtime_limits (declare a ranged tag such as send_hwm_in<Lo, Hi> to choose a value "
                  "at start-up)");
    return false;
  } else if constexpr (at::signing_keys_count && !is_signing_key_of<key_arg, typename Tr::signing_algorithm>) {
    static_assert(dependent_false<key_arg>,
                  "zguard::socket: a signed socket that sends needs its signing key: pass "
                  "zguard::signing_key<Alg> of the socket's signing algorithm after the "
                  "mechanism's arguments (G7)");
    return false;
  } else if constexpr (at::verify_keys_count && !is_verify_keys_of<keys_arg, typename Tr::signing_algorithm>) {
    static_assert(dependent_false<keys_arg>,
                  "zguard::socket: a signed socket that receives needs the keys to verify "
                  "with: pass zguard::verify_keys<Alg> of the socket's signing algorithm after "
                  "the mechanism's arguments and the signing key (when it sends), before a sealing key, a "
                  "vouched<...> worker's key and the permissions (G7)");
    return false;
  } else {
    return []<std::size_t... I>(std::index_sequence<I...>) {
      return check_mechanism_arguments<Tr, typename nth_type<at::mechanism_first + I, A...>::type...>();
    }(std::make_index_sequence<at::mechanism_count>{});
  }
}

// The permissions a named object (A: the caller's argument types,
// references kept): the socket keeps a reference to them, so a reload
// reaches it. A wrong type is check_socket_arguments' to say. Asked by the
// core, and first by a facet that forwards the caller's arguments to it
// (the core then sees them named).
template <class Tr, class... A>
constexpr bool permissions_named() {
  using at = argument_layout<Tr, sizeof...(A)>;
  using given = typename nth_type<at::permissions_at, A...>::type;
  if constexpr (!at::permissions_count || !std::is_same_v<std::remove_cvref_t<given>, permissions>) {
    return true;
  } else {
    static_assert(std::is_lvalue_reference_v<given>,
                  "zguard::socket: the socket keeps a reference to its zguard::permissions (so a reload "
                  "reaches it): pass a named permissions object that outlives the socket, not a temporary");
    return std::is_lvalue_reference_v<given>;
  }
}

}  // namespace detail
}  // namespace v0
}  // namespace zguard
