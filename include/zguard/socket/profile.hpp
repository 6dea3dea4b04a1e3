// zguard/socket/profile.hpp - a socket type described from its types alone
// (G17): what an audit reads, and the short label events carry.
#pragma once

#include <zguard/detail/compiled.hpp>

#include <string>
#include <type_traits>

#include <zguard/connection.hpp>
#include <zguard/limits.hpp>
#include <zguard/pattern.hpp>
#include <zguard/security.hpp>

namespace zguard {
inline namespace v0 {
namespace detail {

ZGUARD_DECL std::string mechanism_label(mechanism_kind k, mechanism_role r, bool insecure);

// "REQ/CURVE client/tcp@billing": pattern, mechanism, transport, domain.
template <class Tr>
std::string label_of() {
  using M = typename Tr::M;
  return std::string(Tr::P::name) + "/" + mechanism_label(M::kind, M::role, M::is_insecure) + "/" +
         std::string(Tr::T::scheme) + "@" + std::string(Tr::D::name);
}

// The connection settings, declared or "(default)", where they apply.
template <class L, class T>
std::string connection_profile() {
  using C = connection_settings<L, T>;
  auto const ms = [](int v) { return std::to_string(v) + " ms"; };
  auto const origin = [](bool declared) { return declared ? std::string() : std::string(" (default)"); };
  std::string s;
  if constexpr (C::has_connections) {
    using H = typename C::heartbeat;
    using R = typename C::reconnect;
    s += "; heartbeat=ivl " + ms(H::interval_ms) + ", timeout " + ms(H::timeout_ms) + ", ttl " + ms(H::ttl_ms) +
         origin(C::template declared<limit_slot::heartbeat>);
    s += "; reconnect=" + (R::max_ms == R::interval_ms ? ms(R::interval_ms) + " (no back-off)"
                                                        : std::to_string(R::interval_ms) + ".." + ms(R::max_ms)) +
         origin(C::template declared<limit_slot::reconnect>);
  }
  if constexpr (C::is_tcp) {
    using K = typename C::keepalive;
    if constexpr (C::keepalive_on)
      s += "; tcp_keepalive=idle " + std::to_string(K::idle_s) + " s, interval " + std::to_string(K::interval_s) +
           " s, count " + std::to_string(K::count);
    else
      s += "; tcp_keepalive=off (default)";
    s += "; connect_timeout_ms=" + std::to_string(C::connect_timeout::value) +
         origin(C::template declared<limit_slot::connect_timeout>);
  }
  s += C::immediate ? "; immediate=on (queues only to completed connections)" : "; immediate=off";
  s += C::conflate ? "; conflate=on (keeps only the latest message)" : "; conflate=off";
  return s;
}

// A fixed tag's value for key K ("1000"), or a ranged tag's range
// ("100..10000").
template <class K, class Tag>
std::string limit_text() {
  if constexpr (is_ranged_limit<Tag>) return std::to_string(tag_lo<K, Tag>()) + ".." + std::to_string(tag_hi<K, Tag>());
  else return std::to_string(tag_value<K, Tag>());
}

template <class Tr>
std::string profile_of() {
  using D = typename Tr::D;
  using M = typename Tr::M;
  using L = typename Tr::L;
  using S = typename Tr::S;
  std::string s = std::string(Tr::P::name) + " socket; domain=" + std::string(D::name) +
                  "; transport=" + std::string(Tr::T::scheme) +
                  "; mechanism=" + mechanism_label(M::kind, M::role, M::is_insecure);
  if constexpr (M::is_insecure) s += " reason=\"" + std::string(M::reason) + "\"";
  if constexpr (M::role == mechanism_role::server)
    s += "; authenticator=required (ZAP domain '" + std::string(D::name) + "')";
  // The libzmq settings a configuration file may choose, by their keys
  // (the rate and burst below, with the per_peer_rate they belong to).
  for_each_runtime_slot<L>([&]<class K, class Tag>(K, Tag) {
    if constexpr (K::option >= 0) s += "; " + std::string(K::name) + "=" + limit_text<K, Tag>();
  });
  if constexpr (L::has_ranged) s += "; ranged limits chosen at start-up within the ranges shown";
  s += "; when_full=" + std::string(L::template get<limit_slot::overflow>::name);
  if constexpr (L::template has<limit_slot::max_message_size>)
    s += "; max_message_size=" + std::to_string(L::max_message_size);
  if constexpr (L::template has<limit_slot::handshake_timeout>)
    s += "; handshake_timeout_ms=" + std::to_string(L::handshake_timeout);
  s += connection_profile<L, typename Tr::T>();
  if constexpr (Tr::rate_limited) {
    using R = typename L::template get<limit_slot::per_peer_rate>;
    s += "; per_peer_rate=" + limit_text<runtime_key<limit_slot::per_peer_rate, 0>, R>() + "/s burst " +
         limit_text<runtime_key<limit_slot::per_peer_rate, 1>, R>();
  }
  if constexpr (Tr::is_signed) {
    s += "; signing=" + std::string(Tr::signing_algorithm::name);
    if constexpr (Tr::signs) s += " signs";
    if constexpr (Tr::verifies)
      s += " verifies (freshness_ms=" + std::to_string(S::freshness) + ", replay_window=" + std::to_string(S::window) + ")";
  } else if constexpr (Tr::typed) {
    s += "; signing=none";
  }
  if constexpr (Tr::is_sealed) {
    using X = typename Tr::sealing_type;
    auto const n = [](std::uint32_t v) { return std::to_string(v); };
    if constexpr (Tr::opens_sealed)
      s += "; sealed=opens requests, seals answers (freshness_ms=" + n(X::freshness) + ", replay_window=" +
           n(X::window) + ")";
    else if constexpr (Tr::seals_requests)
      s += "; sealed=seals requests to its service's key, opens answers";
    else if constexpr (Tr::seals_feed)
      s += "; sealed=seals under epoch keys sealed to its members (rotate_ms=" + n(X::rotate) + ", announce_ms=" +
           n(X::announce) + ", pad_to=" + n(X::pad) + ", max_members=" + n(X::members) + ")";
    else if constexpr (Tr::opens_feed)
      s += "; sealed=opens with the epoch keys sealed to it";
  }
  if constexpr (Tr::checks_vouch)
    s += "; vouched=blake2b-256 (freshness_ms=" + std::to_string(Tr::vouch_type::freshness) + ")";
  if constexpr (Tr::is_batched) {
    if constexpr (Tr::B::coalesces)
      s += "; coalesced=" + std::to_string(Tr::B::max_messages) + " (gap_us=" +
           std::to_string(Tr::B::max_delay.count()) + ")";
    else
      s += "; batched=" + std::to_string(Tr::B::max_messages) + " (max_delay_ms=" +
           std::to_string(Tr::B::max_delay.count()) + ")";
  }
  if constexpr (Tr::is_authorized)
    s += std::is_same_v<typename Tr::P, xpub>   ? "; authorized=subscribe (permissions per key)"
         : std::is_same_v<typename Tr::P, xsub> ? "; authorized=publish (permissions per key)"
                                                : "; authorized=call (permissions per key)";
  return s;
}

}  // namespace detail
}  // namespace v0
}  // namespace zguard

#if !defined(ZGUARD_SEPARATE_COMPILATION)
#include <zguard/impl/profile.ipp>
#endif
