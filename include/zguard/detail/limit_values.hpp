// zguard/detail/limit_values.hpp - the values a socket applies that a
// configuration may choose (HWMs, linger, send and receive timeouts, the
// per-peer rate and burst): a fixed tag's declared value or the one chosen
// at start-up for a ranged tag, checked against its range.
//
// Internal: what the socket's constructor and config.hpp share, so the
// checks and their messages are written once, not once per socket type.
// limits.hpp includes it.
#pragma once

#include <zguard/detail/compiled.hpp>

#include <zmq.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

#include <zguard/ranged_limits.hpp>

namespace zguard {
inline namespace v0 {

namespace detail {
// The numbers a socket sets at construction (the first five, libzmq
// options, are checked again at every bind and connect; the rate and burst
// fill its token buckets; not positive when it declares no per_peer_rate): the
// declared value of a fixed tag, the chosen one of a ranged tag.
struct limit_values {
  std::int64_t send_hwm, recv_hwm, linger_ms, send_timeout_ms, recv_timeout_ms;
  std::int64_t rate_per_second, rate_burst;
};
// Each of them once: its key (in runtime_limits, configuration files,
// applied_limits() and a socket's profile), its slot and which number of
// the slot's tag it is (a per_peer_rate holds two: the rate, then the
// burst), where the chosen and the applied value sit, and the libzmq
// option it sets (-1: none; the rate and burst are zguard's). The options
// table (socket/options.hpp), the profile (socket/profile.hpp), the checks
// below and config.hpp all walk this list, so a key is written here only.
template <class Slot, int Part = 0>
struct runtime_key;
#define ZGUARD_RUNTIME_KEY(SLOT, PART, KEY, OPTION)                    \
  template <>                                                          \
  struct runtime_key<limit_slot::SLOT, PART> {                         \
    using slot = limit_slot::SLOT;                                     \
    static constexpr int part = PART;                                  \
    static constexpr std::string_view name = #KEY;                     \
    static constexpr auto chosen = &runtime_limits::KEY;               \
    static constexpr auto value = &limit_values::KEY;                  \
    static constexpr int option = OPTION;                              \
  };
ZGUARD_RUNTIME_KEY(send_hwm, 0, send_hwm, ZMQ_SNDHWM)
ZGUARD_RUNTIME_KEY(recv_hwm, 0, recv_hwm, ZMQ_RCVHWM)
ZGUARD_RUNTIME_KEY(linger, 0, linger_ms, ZMQ_LINGER)
ZGUARD_RUNTIME_KEY(send_timeout, 0, send_timeout_ms, ZMQ_SNDTIMEO)
ZGUARD_RUNTIME_KEY(recv_timeout, 0, recv_timeout_ms, ZMQ_RCVTIMEO)
ZGUARD_RUNTIME_KEY(per_peer_rate, 0, rate_per_second, -1)
ZGUARD_RUNTIME_KEY(per_peer_rate, 1, rate_burst, -1)
#undef ZGUARD_RUNTIME_KEY
inline constexpr std::size_t runtime_key_count = 7;

// f(runtime_key<...>{}) for each of them, in the order above.
template <class F>
constexpr void for_each_runtime_key(F&& f) {
  f(runtime_key<limit_slot::send_hwm>{});
  f(runtime_key<limit_slot::recv_hwm>{});
  f(runtime_key<limit_slot::linger>{});
  f(runtime_key<limit_slot::send_timeout>{});
  f(runtime_key<limit_slot::recv_timeout>{});
  f(runtime_key<limit_slot::per_peer_rate, 0>{});
  f(runtime_key<limit_slot::per_peer_rate, 1>{});
}

// A tag's number for key K: its value, or (a per_peer_rate's second key)
// its burst; and the range of a ranged tag's.
template <class K, class Tag>
constexpr std::int64_t tag_value() {
  if constexpr (K::part == 0) return Tag::value;
  else return Tag::burst;
}
template <class K, class Tag>
constexpr std::int64_t tag_lo() {
  if constexpr (K::part == 0) return Tag::lo;
  else return Tag::burst_lo;
}
template <class K, class Tag>
constexpr std::int64_t tag_hi() {
  if constexpr (K::part == 0) return Tag::hi;
  else return Tag::burst_hi;
}

// f(runtime_key<Slot>{}, tag) with the tag limits L declares for each
// (no_limit where it declares none).
template <class L, class F>
constexpr void for_each_runtime_slot(F&& f) {
  for_each_runtime_key([&]<class K>(K k) { f(k, typename L::template get<typename K::slot>{}); });
}

// One of those keys of a limits<...> as values, so that the code
// checking and describing them is written once, not once per socket type.
struct slot_rule {
  std::string_view key;                              // its runtime_limits key, e.g. "send_hwm"
  std::optional<std::int64_t> runtime_limits::*chosen;
  std::int64_t limit_values::*applied;
  bool ranged;                                       // a *_in<Lo, Hi> tag: the value is chosen at start-up
  bool declared;                                     // false: the socket type declares no such limit
  std::int64_t value, lo, hi;                        // a fixed tag's value; a ranged tag's range
};
using slot_rule_set = std::array<slot_rule, runtime_key_count>;
template <class L>
constexpr slot_rule_set slot_rules() {
  slot_rule_set rules{};
  std::size_t i = 0;
  for_each_runtime_slot<L>([&]<class K, class Tag>(K, Tag) {
    slot_rule r{K::name, K::chosen, K::value, is_ranged_limit<Tag>, !std::is_same_v<Tag, no_limit>,
                tag_value<K, Tag>(), 0, 0};
    if constexpr (is_ranged_limit<Tag>) r.lo = tag_lo<K, Tag>(), r.hi = tag_hi<K, Tag>();
    rules[i++] = r;
  });
  return rules;
}
template <class L>
inline constexpr slot_rule_set slot_rules_of = slot_rules<L>();

// "100..10000": a ranged slot's range.
ZGUARD_DECL std::string range_text(slot_rule const& r);

// Why `value` is refused for the slot `r` (named `key` in the sentence), or
// "" when it is fine.
ZGUARD_DECL std::string runtime_value_problem(std::string_view key, std::optional<std::int64_t> value,
                                              slot_rule const& r);

// The values a socket with these slots applies: checked against their ranges.
ZGUARD_DECL limit_values choose_limits(slot_rule_set const& rules, runtime_limits const& chosen);
template <class L>
limit_values choose_limits(runtime_limits const& chosen) {
  return choose_limits(slot_rules_of<L>, chosen);
}
// "send_hwm=1000; recv_hwm=1000; linger_ms=0; ...": what a socket applied
// at construction (socket::applied_limits()); the rate and burst where it
// has a per_peer_rate.
ZGUARD_DECL std::string applied_limits_text(limit_values const& v);

// The declared values (a ranged tag: its compile-time stand-in, until the
// constructor chooses one).
template <class L>
constexpr limit_values fixed_limits() {
  limit_values v{};
  for_each_runtime_slot<L>([&]<class K, class Tag>(K, Tag) { v.*K::value = tag_value<K, Tag>(); });
  return v;
}
}  // namespace detail

}  // namespace v0
}  // namespace zguard

#if !defined(ZGUARD_SEPARATE_COMPILATION)
#include <zguard/impl/limits.ipp>
#endif
