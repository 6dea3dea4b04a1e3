// zguard/detail/zpl.hpp - a bounded parser for ZPL (ZeroMQ RFC 4), the text
// format of CZMQ certificate files.
//
// Parses into "section/name" -> value. Bounded input, line-numbered errors,
// no recursion, never reads out of range. Only what certificates use:
// 4-space indentation per level, `name`, `name = value`, values quoted with
// " or ' or bare, # comments.
#pragma once

#include <zguard/detail/compiled.hpp>

#include <sodium.h>

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <zguard/keys.hpp>

namespace zguard {
inline namespace v0 {
namespace detail {

inline constexpr std::size_t max_zpl_size = 64 * 1024;

inline bool is_zpl_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::string_view("$-_@.&+/").find(c) != std::string_view::npos;
}

// Parses text; throws key_error("<origin>:<line>: ...").
ZGUARD_DECL std::map<std::string, std::string> parse_zpl(std::string_view text, std::string const& origin);

}  // namespace detail
}  // namespace v0
}  // namespace zguard

#if !defined(ZGUARD_SEPARATE_COMPILATION)
#include <zguard/impl/zpl.ipp>
#endif
