// zguard/fixed_string.hpp - a string usable as a template argument.
//
// Lets types carry text that must be visible in the type itself:
// domain<"billing">, insecure<"lab network, no secrets">.
#pragma once

#include <algorithm>
#include <cstddef>
#include <string_view>

namespace zguard {
inline namespace v0 {

template <std::size_t N>
struct fixed_string {
  char value[N]{};
  constexpr fixed_string(const char (&s)[N]) { std::copy_n(s, N, value); }
  constexpr std::string_view view() const { return {value, N - 1}; }
  constexpr std::size_t size() const { return N - 1; }
};

}  // namespace v0
}  // namespace zguard
