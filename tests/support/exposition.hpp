// The Prometheus text exposition format, as the metrics tests read it: a
// check of every line, and a sample's value replaced. (No std::regex: GCC
// 12 warns inside libstdc++'s regex compiler under the sanitizers.)
#pragma once

#include "../support.hpp"

#include <cstdlib>
#include <sstream>
#include <string>
#include <string_view>

namespace zguard_test {

inline bool metric_name_char(char c, bool first) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' || (!first && c >= '0' && c <= '9');
}

// One line: `# HELP name text`, `# TYPE name counter|gauge|histogram`, or a
// sample `name{label="value",...} number` with only \\, \" and \n escaped.
inline bool exposition_line_ok(std::string_view line) {
  auto name_at = [&](std::size_t i) {
    std::size_t j = i;
    while (j < line.size() && metric_name_char(line[j], j == i)) ++j;
    return j;
  };
  if (line.starts_with("# HELP ")) {
    auto const end = name_at(7);
    return end > 7 && end < line.size() && line[end] == ' ';
  }
  if (line.starts_with("# TYPE ")) {
    auto const end = name_at(7);
    if (end == 7 || end >= line.size() || line[end] != ' ') return false;
    auto const type = line.substr(end + 1);
    return type == "counter" || type == "gauge" || type == "histogram";
  }
  std::size_t i = name_at(0);
  if (i == 0) return false;
  if (i < line.size() && line[i] == '{') {
    ++i;
    for (bool first = true; i < line.size() && line[i] != '}'; first = false) {
      if (!first && line[i++] != ',') return false;
      auto const end = name_at(i);
      if (end == i || end + 1 >= line.size() || line[end] != '=' || line[end + 1] != '"') return false;
      for (i = end + 2; i < line.size() && line[i] != '"'; ++i)
        if (line[i] == '\\' && (++i >= line.size() || (line[i] != '\\' && line[i] != '"' && line[i] != 'n')))
          return false;
      if (i++ >= line.size()) return false;
    }
    if (i++ >= line.size()) return false;
  }
  if (i >= line.size() || line[i] != ' ') return false;
  std::string const value(line.substr(i + 1));
  if (value == "+Inf") return true;
  char* end = nullptr;
  std::strtod(value.c_str(), &end);
  return !value.empty() && end == value.c_str() + value.size();
}

inline void check_exposition(std::string const& text) {
  std::istringstream lines(text);
  int n = 0;
  for (std::string line; std::getline(lines, line); ++n) {
    INFO(line);
    CHECK(exposition_line_ok(line));
  }
  CHECK(n > 10);
}

// `text` with the value of the first sample whose line starts with `prefix`
// (a name, or a name and its labels) replaced by `value`.
inline std::string with_sample_value(std::string text, std::string_view prefix, std::string const& value) {
  for (std::size_t at = 0; at < text.size();) {
    auto const end = text.find('\n', at);
    auto const line_end = end == std::string::npos ? text.size() : end;
    if (std::string_view(text).substr(at, line_end - at).starts_with(prefix)) {
      auto const space = text.rfind(' ', line_end);
      return text.replace(space + 1, line_end - space - 1, value);
    }
    at = line_end + 1;
  }
  return text;
}

}  // namespace zguard_test
