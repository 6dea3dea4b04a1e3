// zguard/printable.hpp - a peer's or a file's text made safe to show (G15).
//
// A text that came from outside (a service's error message, a refusal's
// field, a configuration string) may hold what a terminal or a log reader
// obeys instead of showing: ESC and CSI start sequences that recolour,
// retitle or rewrite the screen, a newline starts a line that looks like
// our own (a forged {"event":...} line), a bidi override shows the text in
// another order than it is, a byte that is not UTF-8 garbles the rest.
// printable() writes each of those as a visible escape; first_unprintable()
// finds the first, for the places that refuse instead (config texts,
// systemd units).
//
//   log(zg::printable(peer_text));                 // "\x1b[31mred" shown, not obeyed
//   if (auto bad = zg::first_unprintable(t)) refuse(bad->what());
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

namespace zguard {
inline namespace v0 {
namespace detail {

// The UTF-8 character at s[i]: its length (0 when the bytes there are not
// strict UTF-8: no overlong forms, no surrogates, nothing past U+10FFFF)
// and code point.
inline std::size_t utf8_char(std::uint8_t const* s, std::size_t n, std::size_t i, char32_t& cp) {
  std::uint8_t const c = s[i];
  if (c < 0x80) {
    cp = c;
    return 1;
  }
  std::size_t len;
  if ((c & 0xe0) == 0xc0) { len = 2; cp = c & 0x1f; }
  else if ((c & 0xf0) == 0xe0) { len = 3; cp = c & 0x0f; }
  else if ((c & 0xf8) == 0xf0) { len = 4; cp = c & 0x07; }
  else return 0;
  if (n - i < len) return 0;
  for (std::size_t k = 1; k < len; ++k) {
    if ((s[i + k] & 0xc0) != 0x80) return 0;
    cp = (cp << 6) | (s[i + k] & 0x3f);
  }
  if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
      (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
    return 0;
  return len;
}
inline std::size_t utf8_char(std::string_view s, std::size_t i, char32_t& cp) {
  return utf8_char(reinterpret_cast<std::uint8_t const*>(s.data()), s.size(), i, cp);
}

inline bool valid_utf8(std::uint8_t const* p, std::size_t n) {
  char32_t cp;
  for (std::size_t i = 0, len; i < n; i += len)
    if ((len = utf8_char(p, n, i, cp)) == 0) return false;
  return true;
}

// What a code point does when shown: nothing (0), or the kind of thing it
// is. C0 and C1 controls and DEL (ESC and CSI among them), the bidi
// controls (U+061C, U+200E, U+200F, U+202A..U+202E, U+2066..U+2069) and the
// line and paragraph separators U+2028, U+2029.
constexpr char const* hidden_kind(char32_t cp) {
  if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f)) return "a control character";
  if (cp == 0x061c || cp == 0x200e || cp == 0x200f || (cp >= 0x202a && cp <= 0x202e) ||
      (cp >= 0x2066 && cp <= 0x2069))
    return "a bidi control";
  if (cp == 0x2028 || cp == 0x2029) return "a line separator";
  return nullptr;
}

}  // namespace detail

// The first thing in a text that printable() would escape.
struct unprintable {
  std::size_t at = 0;        // its byte offset
  char32_t code_point = 0;   // the character, or the byte when not UTF-8
  bool invalid_utf8 = false; // a byte that starts no UTF-8 character
  // "a control character (U+001B)", "a bidi control (U+202E)", "a byte that
  // is not UTF-8 (0xFF)", "a line separator (U+2028)"; at `at` when asked.
  std::string what(bool with_offset = false) const {
    char buf[96];
    if (invalid_utf8)
      std::snprintf(buf, sizeof buf, "a byte that is not UTF-8 (0x%02X)", static_cast<unsigned>(code_point));
    else
      std::snprintf(buf, sizeof buf, "%s (U+%04X)", detail::hidden_kind(code_point),
                    static_cast<unsigned>(code_point));
    std::string out = buf;
    if (with_offset) out += " at byte " + std::to_string(at);
    return out;
  }
};

// The first control character, bidi control, line separator or byte that
// is not UTF-8 in `text`, or nullopt when it shows as it is.
inline std::optional<unprintable> first_unprintable(std::string_view text) {
  char32_t cp = 0;
  for (std::size_t i = 0, len; i < text.size(); i += len) {
    len = detail::utf8_char(text, i, cp);
    if (len == 0) return unprintable{i, static_cast<unsigned char>(text[i]), true};
    if (detail::hidden_kind(cp)) return unprintable{i, cp, false};
  }
  return std::nullopt;
}

// `text` as it may be shown: every character first_unprintable() finds is
// written as an escape (\n, \r, \t, \xHH for other C0 controls, DEL and
// each byte that is not UTF-8, \u{XXXX} for C1 controls, bidi controls and
// line separators), everything else as it is. The result is UTF-8, one
// line, and at most max_bytes long, cut before a character or an escape
// that would not fit, never inside one. A backslash is kept as it is, so
// printable(printable(t)) == printable(t): the result is for people to
// read, not to parse back.
inline std::string printable(std::string_view text,
                             std::size_t max_bytes = std::numeric_limits<std::size_t>::max()) {
  std::string out;
  out.reserve(text.size() < max_bytes ? text.size() : max_bytes);
  char32_t cp = 0;
  char buf[16];
  for (std::size_t i = 0, len; i < text.size(); i += len) {
    std::string_view piece;
    len = detail::utf8_char(text, i, cp);
    if (len == 0) {
      len = 1;
      std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned>(static_cast<unsigned char>(text[i])));
      piece = buf;
    } else if (!detail::hidden_kind(cp)) {
      piece = text.substr(i, len);
    } else if (cp == '\n') {
      piece = "\\n";
    } else if (cp == '\r') {
      piece = "\\r";
    } else if (cp == '\t') {
      piece = "\\t";
    } else {
      std::snprintf(buf, sizeof buf, cp < 0x80 ? "\\x%02x" : "\\u{%04X}", static_cast<unsigned>(cp));
      piece = buf;
    }
    if (piece.size() > max_bytes - out.size()) break;
    out += piece;
  }
  return out;
}

}  // namespace v0
}  // namespace zguard
