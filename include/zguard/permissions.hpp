// zguard/permissions.hpp - what each authenticated peer may do (G18).
//
// Authentication says who a peer is; permissions say what it may do. A
// permission set holds, per identity (a CURVE key or a PLAIN user), allow
// and deny rules for three actions on dotted subjects:
//
//   call       a service's request schema ("example.request")
//   subscribe  a topic ("market.eurusd")
//   publish    a topic, into a relay
//
// Matching (as NATS subjects): a subject is tokens separated by '.', each
// non-empty printable ASCII without spaces and none "*" or ">"; any other
// subject is invalid and never permitted (valid_subject). A pattern is
// tokens too: "*" matches exactly one token, ">" as the last token matches
// one or more; anything else matches itself. A subject is permitted when an
// allow rule matches it and no deny rule does (deny wins). An identity
// without rules of its own gets the defaults; with rules of its own, only
// its own. Nothing is permitted unless a rule allows it. The rules are kept
// as token trees (detail/subject_tree.hpp): a check costs what the subject's
// tokens reach, not the number of rules.
//
// A socket declared with zguard::authorized enforces a permission set
// (socket/typed_messages.hpp): it cannot be made without one.
//
// File format (permissions::from_file), one rule a line, '#' starts a
// comment line:
//
//   default call allow example.request
//   key rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7 subscribe allow market.>
//   key rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7 subscribe deny market.secret.*
//   user alice call allow example.*
//   cert clients/bob.cert call allow example.*
//
// `cert PATH` names a CURVE key by its public certificate file (relative to
// the permission file's directory), so a file can say who by name; the key
// is read when the file is (reload() reads it again after a rotation).
// A line that does not parse is an error naming the file and line; a file
// that does not parse is never half applied (reload() keeps the old set).
// Replace the file by renaming a complete one into place: one caught
// half written (changed during the read, empty, or without a final
// newline) is refused (detail/protected_file.hpp).
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <zguard/detail/compiled.hpp>
#include <zguard/detail/subject_tree.hpp>
#include <zguard/identity.hpp>
#include <zguard/slots.hpp>

namespace zguard {
inline namespace v0 {

enum class action { call, subscribe, publish };

constexpr std::string_view to_string(action a) {
  switch (a) {
    case action::call: return "call";
    case action::subscribe: return "subscribe";
    case action::publish: return "publish";
  }
  return "?";
}

struct permission_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Whether `subject` is a valid subject (see the grammar above): only a
// valid one can be permitted.
constexpr bool valid_subject(std::string_view subject) { return detail::is_subject(subject); }

namespace detail {
// A pattern: 1..255 bytes, tokens of subject bytes, none empty, ">" only as
// the last; "*" a whole token anywhere. Anything else is an error where the
// rule is added (in a file, one naming its line).
ZGUARD_DECL void check_pattern(std::string_view p);

struct rules {
  // As added, for audit().
  std::vector<std::pair<action, std::string>> allow, deny;
  // The same, per action, as token trees for matching.
  std::array<subject_tree, 3> allowing, denying;

  void add(action a, std::string_view pattern, bool allow_it) {
    (allow_it ? allow : deny).emplace_back(a, std::string(pattern));
    (allow_it ? allowing : denying)[std::size_t(a)].insert(pattern);
  }
  // A subject: permitted when it is valid, an allow rule matches it and no
  // deny rule does.
  bool permits(action a, std::string_view subject) const {
    auto const i = std::size_t(a);
    return is_subject(subject) && !denying[i].matches(subject) && allowing[i].matches(subject);
  }
  // A byte-prefix subscription: permitted when it can begin valid subjects,
  // an allow rule covers every subject it can match and no deny rule meets
  // any of them.
  bool permits_prefix(action a, std::string_view prefix) const {
    auto const i = std::size_t(a);
    return is_subject_prefix(prefix) && !denying[i].meets_prefix(prefix) && allowing[i].covers_prefix(prefix);
  }
};
}  // namespace detail

// The rules, as values: build in code or parse a file's text.
class permission_set {
 public:
  void allow(identity_kind kind, std::string_view id, action a, std::string_view pattern) {
    add(kind, id, a, pattern, true);
  }
  void deny(identity_kind kind, std::string_view id, action a, std::string_view pattern) {
    add(kind, id, a, pattern, false);
  }
  void allow_default(action a, std::string_view pattern) {
    detail::check_pattern(pattern);
    defaults_.add(a, pattern, true);
  }
  void deny_default(action a, std::string_view pattern) {
    detail::check_pattern(pattern);
    defaults_.add(a, pattern, false);
  }

  // Whether the identity may do `a` on `subject` (never on an invalid
  // subject, see valid_subject).
  bool permits(identity_kind kind, std::string_view id, action a, std::string_view subject) const {
    return rules_of(kind, id).permits(a, subject);
  }

  // Whether the identity may subscribe (or act) on every subject that starts
  // with the bytes `prefix`, as a libzmq subscription matches: true only
  // when a ">" rule covers them all and no deny rule meets any of them (so
  // "market." needs "market.>", and a deny of "market.secret.*" refuses it).
  bool permits_prefix(identity_kind kind, std::string_view id, action a, std::string_view prefix) const {
    return rules_of(kind, id).permits_prefix(a, prefix);
  }

  // How many identities have rules of their own.
  std::size_t identities() const { return keys_.size() + users_.size(); }

  // Who may do what, one rule a line in the file format (the defaults,
  // then keys, then users, each sorted; deny rules after allow rules):
  // the audit of a permission file, as parse() understood it.
  ZGUARD_DECL std::string audit() const;

  // Parses the file format above; `source` names the text in errors, and
  // `cert` paths are relative to `base` (a relative one with no base is an
  // error).
  static ZGUARD_DECL permission_set parse(std::string_view text, std::string const& source,
                                          std::filesystem::path const& base = {});

 private:
  ZGUARD_DECL void add(identity_kind kind, std::string_view id, action a, std::string_view pattern,
                       bool allowing);
  detail::rules const& rules_of(identity_kind kind, std::string_view id) const {
    auto const& table = kind == identity_kind::key ? keys_ : users_;
    auto const it = table.find(id);
    return it == table.end() ? defaults_ : it->second;
  }

  std::map<std::string, detail::rules, std::less<>> keys_, users_;
  std::map<std::string, std::string> key_sources_;  // Z85 key -> the cert path that named it
  detail::rules defaults_;
};

// A permission set shared by the sockets that enforce it, and reloadable
// from its file while they run (thread-safe; a reload that fails keeps the
// set in force and throws).
class permissions {
 public:
  explicit permissions(permission_set set) : set_(std::make_shared<permission_set const>(std::move(set))) {}

  // The file must be a regular file not writable by others (it decides
  // who may do what).
  static permissions from_file(std::filesystem::path const& path) {
    permissions p(read(path));
    p.path_ = path;
    return p;
  }

  bool permits(identity_kind kind, std::string_view id, action a, std::string_view subject) const {
    std::shared_ptr<permission_set const> s;
    {
      std::lock_guard lock(*mu_);
      s = set_;
    }
    return s->permits(kind, id, a, subject);
  }

  bool permits_prefix(identity_kind kind, std::string_view id, action a, std::string_view prefix) const {
    std::shared_ptr<permission_set const> s;
    {
      std::lock_guard lock(*mu_);
      s = set_;
    }
    return s->permits_prefix(kind, id, a, prefix);
  }

  // The rules in force, as permission_set::audit() lists them.
  std::string audit() const {
    std::shared_ptr<permission_set const> s;
    {
      std::lock_guard lock(*mu_);
      s = set_;
    }
    return s->audit() + "identities: " + std::to_string(s->identities()) + "\n";
  }

  // Re-reads the file it was made from.
  void reload() {
    if (path_.empty()) throw permission_error("zguard permissions: reload() needs a set made by from_file()");
    auto fresh = std::make_shared<permission_set const>(read(path_));
    std::lock_guard lock(*mu_);
    set_ = std::move(fresh);
    generation_->fetch_add(1);
  }
  // Replaces the set (rules kept in code).
  void replace(permission_set set) {
    auto fresh = std::make_shared<permission_set const>(std::move(set));
    std::lock_guard lock(*mu_);
    set_ = std::move(fresh);
    generation_->fetch_add(1);
  }
  // Counts the sets put in force (reload, replace): a socket that admitted
  // peers under an older set checks them again when it changes.
  std::uint64_t generation() const { return generation_->load(); }

 private:
  static ZGUARD_DECL permission_set read(std::filesystem::path const& path);

  std::unique_ptr<std::mutex> mu_ = std::make_unique<std::mutex>();
  std::unique_ptr<std::atomic<std::uint64_t>> generation_ = std::make_unique<std::atomic<std::uint64_t>>(0);
  std::shared_ptr<permission_set const> set_;
  std::filesystem::path path_;
};

// The socket policy: this socket enforces a zguard::permissions, passed to
// its constructor after every other argument. On a REP or ROUTER with a
// service<Req, Rep> channel, a peer must be permitted `call` on the request
// schema's name; otherwise the request is refused before it is verified or
// decoded ("not permitted"), and logged as authz.denied. An XPUB (a CURVE
// or PLAIN server) lets a subscriber in only when its key may `subscribe`
// to its topic<"name", S> (a forwarder's raw XPUB back: to every topic):
// its authenticator asks when the peer connects, and when the permissions
// change, a typed feed cuts its connections if one it let in may no longer
// read it (all reconnect and are asked again).
struct authorized {
  using zguard_slot = slot::authorization;
};

namespace detail {
template <class A>
concept is_authorization_tag = std::is_same_v<A, authorized>;  // a concept: no specialization can add a type
}
template <class A>
concept AuthorizationPolicy = detail::is_authorization_tag<A>;

}  // namespace v0
}  // namespace zguard

#if !defined(ZGUARD_SEPARATE_COMPILATION)
#include <zguard/impl/permissions.ipp>
#endif
