// zguard/impl/zpl.ipp - the definitions of zguard/detail/zpl.hpp that ZGUARD_DECL
// declares: inline in every translation unit, or compiled once with
// ZGUARD_SEPARATE_COMPILATION (zguard/detail/compiled.hpp).
#pragma once

#include <zguard/detail/zpl.hpp>

namespace zguard {
inline namespace v0 {
namespace detail {

ZGUARD_DECL std::map<std::string, std::string> parse_zpl(std::string_view text, std::string const& origin) {
  if (text.size() > max_zpl_size)
    throw key_error("zguard: " + origin + " is larger than " + std::to_string(max_zpl_size) + " bytes");
  std::map<std::string, std::string> out;
  std::vector<std::string> path;  // names of the enclosing sections
  std::size_t line_no = 0, pos = 0;
  auto fail = [&](std::string const& why) -> void {
    for (auto& [k, v] : out)  // a secret read before the error is not left behind
      if (!v.empty()) sodium_memzero(v.data(), v.size());
    throw key_error("zguard: " + origin + ":" + std::to_string(line_no) + ": " + why);
  };
  while (pos < text.size()) {
    auto end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    std::size_t indent = 0;
    while (indent < line.size() && line[indent] == ' ') ++indent;
    std::string_view rest = line.substr(indent);
    if (rest.empty() || rest[0] == '#') continue;
    if (rest[0] == '\t') fail("tabs are not allowed for indentation");
    if (indent % 4 != 0) fail("indentation must be a multiple of 4 spaces");
    std::size_t const level = indent / 4;
    if (level > path.size()) fail("indented deeper than its parent");
    path.resize(level);
    std::size_t n = 0;
    while (n < rest.size() && is_zpl_name_char(rest[n])) ++n;
    if (n == 0) fail("expected a name");
    std::string name(rest.substr(0, n));
    rest = rest.substr(n);
    while (!rest.empty() && rest[0] == ' ') rest.remove_prefix(1);
    std::string value;
    if (!rest.empty() && rest[0] == '=') {
      rest.remove_prefix(1);
      while (!rest.empty() && rest[0] == ' ') rest.remove_prefix(1);
      if (!rest.empty() && (rest[0] == '"' || rest[0] == '\'')) {
        char const quote = rest[0];
        auto close = rest.find(quote, 1);
        if (close == std::string_view::npos) fail("unterminated quoted value");
        value.assign(rest.substr(1, close - 1));
        rest = rest.substr(close + 1);
        while (!rest.empty() && rest[0] == ' ') rest.remove_prefix(1);
        if (!rest.empty() && rest[0] != '#') fail("unexpected text after the quoted value");
      } else {
        auto hash = rest.find('#');
        std::string_view bare = rest.substr(0, hash);
        while (!bare.empty() && bare.back() == ' ') bare.remove_suffix(1);
        value.assign(bare);
      }
    } else if (!rest.empty() && rest[0] != '#') {
      fail("expected '=' or the end of the line after the name");
    }
    std::string key;
    for (auto const& p : path) key += p + "/";
    key += name;
    if (out.count(key)) fail("'" + key + "' appears twice");
    out[key] = std::move(value);
    path.push_back(std::move(name));
  }
  return out;
}
}  // namespace detail
}  // namespace v0
}  // namespace zguard
