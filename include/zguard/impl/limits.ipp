// zguard/impl/limits.ipp - the definitions of zguard/detail/limit_values.hpp
// that ZGUARD_DECL declares: inline in every translation unit, or compiled
// once with ZGUARD_SEPARATE_COMPILATION (zguard/detail/compiled.hpp).
#pragma once

#include <zguard/detail/limit_values.hpp>

namespace zguard {
inline namespace v0 {
namespace detail {

ZGUARD_DECL std::string range_text(slot_rule const& r) { return std::to_string(r.lo) + ".." + std::to_string(r.hi); }

ZGUARD_DECL std::string runtime_value_problem(std::string_view key, std::optional<std::int64_t> value,
                                              slot_rule const& r) {
  if (r.ranged) {
    if (!value) return std::string(key) + " is missing (the socket type takes " + range_text(r) + ")";
    if (*value < r.lo || *value > r.hi)
      return std::string(key) + "=" + std::to_string(*value) + " is out of range " + range_text(r);
  } else if (value) {
    return std::string(key) + " is not configurable for this socket type (" +
           (r.declared ? "fixed at " + std::to_string(r.value) + " by its type" : std::string("it declares no such limit")) +
           "): remove it";
  }
  return {};
}

ZGUARD_DECL std::string applied_limits_text(limit_values const& v) {
  std::string s;
  for_each_runtime_key([&]<class K>(K) {
    if (K::option < 0 && v.rate_per_second <= 0) return;  // no per_peer_rate
    s += (s.empty() ? "" : "; ") + std::string(K::name) + "=" + std::to_string(v.*K::value);
  });
  return s;
}

ZGUARD_DECL limit_values choose_limits(slot_rule_set const& rules, runtime_limits const& chosen) {
  limit_values out{};
  for (auto const& r : rules) {
    std::string const problem = runtime_value_problem(r.key, chosen.*r.chosen, r);
    if (!problem.empty()) throw runtime_limit_error(chosen.source + ": " + problem);
    out.*r.applied = r.ranged ? *(chosen.*r.chosen) : r.value;
  }
  return out;
}

}  // namespace detail
}  // namespace v0
}  // namespace zguard
