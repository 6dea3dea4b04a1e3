// zguard/detail/json_text.hpp - the JSON pieces a schema description is made
// of (schema_description.hpp, and each field kind's describe()).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <type_traits>

namespace zguard {
inline namespace v0 {
namespace detail {

inline void json_string(std::string& out, std::string_view s) {
  out += '"';
  for (char c : s) {
    auto const u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20) {  // names are identifiers; escaped anyway, so the text is always valid JSON
      char const* digits = "0123456789abcdef";
      out += "\\u00";
      out += digits[u >> 4];
      out += digits[u & 15];
    } else {
      out += c;
    }
  }
  out += '"';
}

template <class I>
std::string json_integer(I v) {
  if constexpr (std::is_signed_v<I>) return std::to_string(static_cast<long long>(v));
  else return std::to_string(static_cast<unsigned long long>(v));
}

// "signed":..,"bytes":.. of an integer type (the wire width is its size).
template <class I>
void json_integer_shape(std::string& out) {
  out += std::is_signed_v<I> ? "\"signed\":true" : "\"signed\":false";
  out += ",\"bytes\":" + std::to_string(sizeof(I));
}

}  // namespace detail
}  // namespace v0
}  // namespace zguard
