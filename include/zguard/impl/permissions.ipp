// zguard/impl/permissions.ipp - the definitions of zguard/permissions.hpp that ZGUARD_DECL
// declares: the permission file's parser and audit, inline in every translation unit, or
// compiled once with ZGUARD_SEPARATE_COMPILATION (zguard/detail/compiled.hpp). A socket that
// enforces permissions only asks them (permits, permits_prefix): that stays in the header.
#pragma once

#include <cstdio>
#include <sstream>

#include <zguard/certificate.hpp>
#include <zguard/detail/protected_file.hpp>
#include <zguard/permissions.hpp>

namespace zguard {
inline namespace v0 {
namespace detail {

ZGUARD_DECL void check_pattern(std::string_view p) {
  if (p.empty() || p.size() > 255) throw permission_error("zguard permissions: a pattern must be 1..255 bytes");
  for (std::size_t i = 0; i < p.size(); ++i)
    if (!subject_byte(p[i])) {
      // The byte by number: the pattern itself would carry it into the message.
      char byte[8];
      std::snprintf(byte, sizeof byte, "0x%02x", static_cast<unsigned char>(p[i]));
      throw permission_error("zguard permissions: a pattern must be printable ASCII without spaces (byte " +
                             std::string(byte) + " at offset " + std::to_string(i) + ")");
    }
  for (std::size_t at = 0; at != std::string_view::npos;) {
    auto const [t, next] = next_token(p, at);
    if (t.empty()) throw permission_error("zguard permissions: pattern '" + std::string(p) + "' has an empty token");
    if (t == ">" && next != std::string_view::npos)
      throw permission_error("zguard permissions: in pattern '" + std::string(p) + "', '>' may only be the last token");
    at = next;
  }
}

}  // namespace detail

ZGUARD_DECL std::string permission_set::audit() const {
  std::string out;
  auto emit = [&](std::string const& who, detail::rules const& r) {
    for (bool allowing : {true, false})
      for (auto const& [a, p] : allowing ? r.allow : r.deny)
        out += who + " " + std::string(to_string(a)) + (allowing ? " allow " : " deny ") + p + "\n";
  };
  emit("default", defaults_);
  for (auto const& [id, r] : keys_) {
    auto const named = key_sources_.find(id);
    emit("key " + id + (named == key_sources_.end() ? "" : " (cert " + named->second + ")"), r);
  }
  for (auto const& [id, r] : users_) emit("user " + id, r);
  return out;
}

ZGUARD_DECL permission_set permission_set::parse(std::string_view text, std::string const& source,
                                                std::filesystem::path const& base) {
  permission_set set;
  std::istringstream in{std::string(text)};
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    auto fail = [&](std::string const& why) -> permission_error {
      return permission_error("zguard permissions: " + source + ":" + std::to_string(n) + ": " + why);
    };
    if (line.find('\r') != std::string::npos) throw fail("carriage return in the line");
    std::istringstream words(line);
    std::vector<std::string> w;
    for (std::string x; words >> x;) w.push_back(x);
    if (w.empty() || w[0].starts_with("#")) continue;
    std::size_t at = 0;
    std::optional<std::pair<identity_kind, std::string>> who;
    if (w[0] == "default") {
      at = 1;
    } else if ((w[0] == "key" || w[0] == "user") && w.size() >= 2) {
      who.emplace(w[0] == "key" ? identity_kind::key : identity_kind::user, w[1]);
      at = 2;
    } else if (w[0] == "cert" && w.size() >= 2) {
      std::filesystem::path cert(w[1]);
      if (cert.is_relative() && base.empty())
        throw fail("a relative cert path needs the permission file's directory (permissions::from_file)");
      try {
        // The cert decides who gets these rights: the checks of an
        // allowlisted one, its directory and every one above it included.
        auto const file = cert.is_relative() ? base / cert : cert;
        detail::check_trusted_directory(file.parent_path(), "certificate directory",
                                        "put another certificate in its place and get these rights");
        auto const key = detail::load_trusted_certificate(file).key.z85();
        auto const [it, fresh] = set.key_sources_.emplace(key, w[1]);
        if (!fresh && it->second != w[1])
          throw permission_error("the key of " + w[1] + " is also the key of " + it->second);
        who.emplace(identity_kind::key, key);
      } catch (std::exception const& e) {
        throw fail(e.what());
      }
      at = 2;
    } else {
      throw fail("a rule starts with 'default', 'key <Z85 public key>', 'cert <certificate file>' or 'user <name>'");
    }
    if (w.size() != at + 3) throw fail("expected: <who> <call|subscribe|publish> <allow|deny> <pattern>");
    action a;
    if (w[at] == "call") a = action::call;
    else if (w[at] == "subscribe") a = action::subscribe;
    else if (w[at] == "publish") a = action::publish;
    else throw fail("action '" + w[at] + "' is not one of call, subscribe, publish");
    if (w[at + 1] != "allow" && w[at + 1] != "deny") throw fail("'" + w[at + 1] + "' is not allow or deny");
    bool const allowing = w[at + 1] == "allow";
    try {
      if (!who) {
        if (allowing) set.allow_default(a, w[at + 2]);
        else set.deny_default(a, w[at + 2]);
      } else {
        set.add(who->first, who->second, a, w[at + 2], allowing);
      }
    } catch (std::exception const& e) {
      throw fail(e.what());
    }
  }
  return set;
}

ZGUARD_DECL void permission_set::add(identity_kind kind, std::string_view id, action a, std::string_view pattern,
                                     bool allowing) {
  detail::check_pattern(pattern);
  auto& table = kind == identity_kind::key ? keys_ : users_;
  auto it = table.find(id);
  if (it == table.end()) {
    // Checked once per identity: the key's check is a curve multiplication.
    if (kind == identity_kind::key) (void)public_key::from_z85(id);  // a key that is not one is an error
    else if (id.empty() || id.size() > 255) throw permission_error("zguard permissions: a user name must be 1..255 bytes");
    it = table.emplace(std::string(id), detail::rules{}).first;
  }
  it->second.add(a, pattern, allowing);
}

ZGUARD_DECL permission_set permissions::read(std::filesystem::path const& path) {
  return permission_set::parse(detail::read_protected_file<permission_error>(
                                   path, "zguard permissions", "whoever can write it decides who may do what"),
                               path.string(), std::filesystem::absolute(path).parent_path());
}

}  // namespace v0
}  // namespace zguard
