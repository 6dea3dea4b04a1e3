// zguard/impl/codec.ipp - the definitions of zguard/codec.hpp that ZGUARD_DECL
// declares: inline in every translation unit, or compiled once with
// ZGUARD_SEPARATE_COMPILATION (zguard/detail/compiled.hpp).
#pragma once

#include <zguard/codec.hpp>

namespace zguard {
inline namespace v0 {
namespace detail {

ZGUARD_DECL std::string wire_name_text(std::string_view s) {
  std::string out;
  for (char c : s.substr(0, 64)) out += (c >= 0x20 && c < 0x7f) ? c : '?';
  if (s.size() > 64) out += "...";
  return out;
}
}  // namespace detail

ZGUARD_DECL std::string decode_error::message() const {
  std::string m(to_string(reason));
  if (!field.empty()) m += " at field '" + field + "'";
  m += " (byte " + std::to_string(offset) + ")";
  if (!note.empty()) m += ": " + note;
  return m;
}

namespace detail {

ZGUARD_DECL std::string reader::path_text() const {
  std::string s;
  for (std::size_t i = 0; i < depth_ && i < max_depth; ++i) {
    if (frames_[i].name_size) {
      if (!s.empty()) s += '.';
      s.append(frames_[i].name, frames_[i].name_size);
    }
    if (frames_[i].index != npos) s += "[" + std::to_string(frames_[i].index) + "]";
  }
  return s;
}
}  // namespace detail
}  // namespace v0
}  // namespace zguard
