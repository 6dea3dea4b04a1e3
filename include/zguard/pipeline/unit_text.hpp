// zguard/pipeline/unit_text.hpp - values written into the systemd units a
// deployment generates (systemd_units.hpp), by systemd.syntax(7) and
// systemd.service(5): whatever reaches a unit is either a plain word, or
// quoted so that systemd hands the program exactly the text given, or
// refused with the field's name.
//
// A unit line cannot carry a newline (it would start a line of its own:
// "ExecStartPre=+..." runs with full privileges) nor any other control
// character, and systemd skips a line that is not UTF-8: those are refused
// everywhere, as are bidi controls, which would show an operator reading
// the unit another text than the one that runs (printable.hpp).
#pragma once

#include <string>
#include <string_view>

#include <zguard/pipeline/error.hpp>
#include <zguard/printable.hpp>

namespace zguard {
inline namespace v0 {
namespace detail {

// [A-Za-z0-9._:/@+=,-]: characters no shell, systemd setting or command
// line reads as anything but themselves (the alphabet of pipeline flag
// texts and deployment values).
constexpr bool plain_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::string_view("._:/@+=,-").find(c) != std::string_view::npos;
}
constexpr bool plain_word(std::string_view v) {
  if (v.empty()) return false;
  for (char c : v)
    if (!plain_char(c)) return false;
  return true;
}

[[noreturn]] inline void unit_refuse(std::string_view what, std::string const& why) {
  throw pipeline_error("zguard::pipeline --systemd-units: " + std::string(what) + " " + why);
}

// Refuses what no unit line can carry (see above); `what` names the field.
inline void unit_line_text(std::string_view what, std::string_view v) {
  if (v.empty()) unit_refuse(what, "is empty");
  if (auto bad = first_unprintable(v)) unit_refuse(what, "holds " + bad->what(true) + ": a unit line cannot carry it");
}

// A setting's value that systemd splits at spaces and expands '%' in
// (User=, ReadWritePaths=, ...): plain words only, never quoted.
inline std::string const& unit_word(std::string_view what, std::string const& v) {
  unit_line_text(what, v);
  if (!plain_word(v))
    unit_refuse(what, "'" + v + "' holds a character outside [A-Za-z0-9._:/@+=,-]");
  return v;
}

// A part of a unit's file name: systemd allows [A-Za-z0-9:_.\-@] in unit
// names; '@' would make a template and '\' an escape, so neither.
inline std::string const& unit_name_part(std::string_view what, std::string const& v) {
  unit_line_text(what, v);
  for (char c : v)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == ':' || c == '_' ||
          c == '.' || c == '-'))
      unit_refuse(what, "'" + v + "' cannot be part of a unit name (use [A-Za-z0-9:_.-])");
  if (v.size() > 200) unit_refuse(what, "is longer than a unit name may be");
  return v;
}

// One argument of ExecStart=: a plain word as it is, anything else in
// double quotes with '\' and '"' escaped by a backslash, '%' written '%%'
// (a specifier otherwise) and '$' written '$$' (a variable otherwise), so
// systemd passes the text given, one argument, whatever it holds (a space,
// ';', quotes, "%h", "${HOME}").
inline std::string exec_argument(std::string_view what, std::string_view v) {
  unit_line_text(what, v);
  if (plain_word(v)) return std::string(v);
  std::string out = "\"";
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '%' || c == '$') out += c;
    out += c;
  }
  return out + "\"";
}

// The executable of ExecStart=: an absolute path, quoted like an argument
// when it holds a space, ';' or '%'. systemd refuses quotes and backslashes
// in an executable's path, and reads '$' in it literally while expanding it
// in the argv[0] it passes: all three are refused.
inline std::string exec_path(std::string_view what, std::string const& path) {
  unit_line_text(what, path);
  if (path.front() != '/') unit_refuse(what, "'" + path + "' is not an absolute path");
  if (auto at = path.find_first_of("\"'\\$"); at != std::string::npos)
    unit_refuse(what, "'" + path + "' holds '" + path[at] +
                          "': systemd refuses quotes and backslashes in an executable's path and would "
                          "expand '$' in its argv[0]");
  return exec_argument(what, path);
}

}  // namespace detail
}  // namespace v0
}  // namespace zguard
