// zguard/detail/subject_tree.hpp - the subject grammar of permissions and
// the token tree its rules are kept in (G18).
//
// A subject is tokens separated by '.', each 1 or more bytes of printable
// ASCII without spaces (the bytes a rule can be written in), none "*" or
// ">" (those are wildcards in a rule, never a subject's token). Anything
// else is invalid and matches no rule: NATS refuses such subjects too, and
// here one would slip past deny rules ("market.secret." is not
// "market.secret.<token>").
//
// The rules of one identity and action are a tree of their tokens, as NATS
// keeps subscriptions (its sublist): a node has literal children, one "*"
// child, and marks for a pattern that ends there or ends in ">" there. A
// match walks the subject's tokens down the literal and "*" branches only,
// so its cost does not grow with rules that cannot match.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace zguard {
inline namespace v0 {
namespace detail {

constexpr bool subject_byte(char c) {
  return static_cast<unsigned char>(c) > 0x20 && static_cast<unsigned char>(c) < 0x7f;
}
constexpr bool wildcard_token(std::string_view t) { return t == "*" || t == ">"; }

// The token at `at` and where the next one starts (npos: none follows).
struct token_at {
  std::string_view token;
  std::size_t next;
};
constexpr token_at next_token(std::string_view s, std::size_t at) {
  auto const dot = s.find('.', at);
  if (dot == std::string_view::npos) return {s.substr(at), std::string_view::npos};
  return {s.substr(at, dot - at), dot + 1};
}

// A literal subject (see above).
constexpr bool is_subject(std::string_view s) {
  if (s.empty()) return false;
  for (std::size_t at = 0; at != std::string_view::npos;) {
    auto const [t, next] = next_token(s, at);
    if (t.empty() || wildcard_token(t)) return false;
    for (char c : t)
      if (!subject_byte(c)) return false;
    at = next;
  }
  return true;
}

// Bytes that can begin a valid subject: its complete tokens (each followed
// by '.') valid, the last, partial one of subject bytes (it may be empty,
// or "*" on its way to "*x").
constexpr bool is_subject_prefix(std::string_view p) {
  auto const last_dot = p.rfind('.');
  if (last_dot != std::string_view::npos && !is_subject(p.substr(0, last_dot))) return false;
  for (char c : p.substr(last_dot == std::string_view::npos ? 0 : last_dot + 1))
    if (!subject_byte(c)) return false;
  return true;
}

// The rules of one identity and action, allow or deny. Patterns are valid
// (permission_set checks them) and subjects and prefixes too (the callers
// check them): the walks below assume non-empty tokens.
class subject_tree {
 public:
  void insert(std::string_view pattern) {
    if (nodes_.empty()) nodes_.emplace_back();
    std::uint32_t n = 0;
    for (std::size_t at = 0;;) {
      auto const [t, next] = next_token(pattern, at);
      if (t == ">") {
        nodes_[n].rest = true;
        return;
      }
      n = child(n, t);
      if (next == std::string_view::npos) {
        nodes_[n].ends = true;
        return;
      }
      at = next;
    }
  }

  // Whether a pattern matches the subject.
  bool matches(std::string_view subject) const { return !nodes_.empty() && matches(0, subject, 0); }

  // Whether a pattern ending in ">" matches every subject that starts with
  // the bytes p: a ">" placed where p has complete tokens.
  bool covers_prefix(std::string_view p) const {
    auto const last_dot = p.rfind('.');
    return !nodes_.empty() && covers(0, p, last_dot == std::string_view::npos ? std::string_view::npos : 0, last_dot);
  }

  // Whether a pattern matches some subject that starts with the bytes p.
  bool meets_prefix(std::string_view p) const {
    auto const last_dot = p.rfind('.');
    return !nodes_.empty() && meets(0, p, last_dot == std::string_view::npos ? std::string_view::npos : 0, last_dot);
  }

 private:
  struct node {
    std::map<std::string, std::uint32_t, std::less<>> literal;
    std::uint32_t any = 0;  // the "*" child; 0 (the root) is no child
    bool ends = false;      // a pattern ends here
    bool rest = false;      // a pattern ends in ">" here: one or more tokens follow
  };

  std::uint32_t child(std::uint32_t n, std::string_view t) {
    auto const fresh = static_cast<std::uint32_t>(nodes_.size());
    if (t == "*") {
      if (nodes_[n].any == 0) {
        nodes_[n].any = fresh;
        nodes_.emplace_back();
      }
      return nodes_[n].any;
    }
    auto const it = nodes_[n].literal.find(t);
    if (it != nodes_[n].literal.end()) return it->second;
    nodes_[n].literal.emplace(std::string(t), fresh);
    nodes_.emplace_back();  // after the map's insert: it may move nodes_
    return fresh;
  }

  // `at` is where the subject's next token starts, npos when it has none.
  bool matches(std::uint32_t n, std::string_view s, std::size_t at) const {
    auto const& x = nodes_[n];
    if (at == std::string_view::npos) return x.ends;
    if (x.rest) return true;
    auto const [t, next] = next_token(s, at);
    if (auto const it = x.literal.find(t); it != x.literal.end() && matches(it->second, s, next)) return true;
    return x.any != 0 && matches(x.any, s, next);
  }

  // `at`: where p's next complete token starts (npos: no more); the
  // complete tokens end at `end` (the last '.').
  static token_at complete_token(std::string_view p, std::size_t at, std::size_t end) {
    auto const dot = p.find('.', at);
    return {p.substr(at, dot - at), dot == end ? std::string_view::npos : dot + 1};
  }
  bool covers(std::uint32_t n, std::string_view p, std::size_t at, std::size_t end) const {
    auto const& x = nodes_[n];
    if (x.rest) return true;
    if (at == std::string_view::npos) return false;
    auto const [t, next] = complete_token(p, at, end);
    if (auto const it = x.literal.find(t); it != x.literal.end() && covers(it->second, p, next, end)) return true;
    return x.any != 0 && covers(x.any, p, next, end);
  }
  bool meets(std::uint32_t n, std::string_view p, std::size_t at, std::size_t end) const {
    auto const& x = nodes_[n];
    if (x.rest) return true;
    if (at == std::string_view::npos) {
      // The partial token: any token here, or a literal that starts with it.
      if (x.any != 0) return true;
      auto const partial = end == std::string_view::npos ? p : p.substr(end + 1);
      auto const it = x.literal.lower_bound(partial);
      return it != x.literal.end() && it->first.starts_with(partial);
    }
    auto const [t, next] = complete_token(p, at, end);
    if (auto const it = x.literal.find(t); it != x.literal.end() && meets(it->second, p, next, end)) return true;
    return x.any != 0 && meets(x.any, p, next, end);
  }

  std::vector<node> nodes_;  // nodes_[0] is the root, once a pattern is in
};

}  // namespace detail
}  // namespace v0
}  // namespace zguard
