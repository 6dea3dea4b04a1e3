// Authorization (G18, permissions.hpp): the matching rule (tokens, "*",
// ">", deny wins, own rules over defaults, nothing unless allowed, keys and
// users apart), the file format refused line by line, a file others can
// write refused, reload that keeps the old set on error; over real CURVE
// sockets, a key that may not call the service is refused before its
// request is decoded, told why, logged, and allowed after a reload while
// the service runs.
#include "schemas.hpp"
#include "support.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <future>
#include <random>
#include <stop_token>
#include <thread>

using namespace zguard_test;

namespace {
using zg::action;
using zg::identity_kind;

std::string const alice_key = zg::keypair::generate().public_part().z85();
std::string const bob_key = zg::keypair::generate().public_part().z85();
}  // namespace

TEST_CASE("permissions: tokens, wildcards, deny wins, own rules over defaults, nothing unless allowed") {
  zg::permission_set s;
  s.allow(identity_kind::key, alice_key, action::subscribe, "market.>");
  s.deny(identity_kind::key, alice_key, action::subscribe, "market.secret.*");
  s.allow(identity_kind::key, alice_key, action::call, "orders.*.submit");
  s.allow_default(action::call, "public.info");
  auto may = [&](std::string const& who, action a, std::string_view subject) {
    return s.permits(identity_kind::key, who, a, subject);
  };
  CHECK(may(alice_key, action::subscribe, "market.eurusd"));
  CHECK(may(alice_key, action::subscribe, "market.fx.eurusd"));    // ">" takes one or more tokens
  CHECK_FALSE(may(alice_key, action::subscribe, "market"));        // ... not none
  CHECK_FALSE(may(alice_key, action::subscribe, "market.secret.x"));  // deny wins
  CHECK(may(alice_key, action::subscribe, "market.secret.x.y"));   // "*" is exactly one token
  CHECK(may(alice_key, action::call, "orders.eu.submit"));
  CHECK_FALSE(may(alice_key, action::call, "orders.eu.cancel"));
  CHECK_FALSE(may(alice_key, action::call, "orders..submit"));     // an empty token is no token
  CHECK_FALSE(may(alice_key, action::publish, "market.eurusd"));   // another action
  CHECK_FALSE(may(alice_key, action::call, "public.info"));        // own rules replace the defaults
  CHECK(may(bob_key, action::call, "public.info"));                // no rules of its own: the defaults
  CHECK_FALSE(may(bob_key, action::call, "public.info.more"));
  CHECK_FALSE(may(bob_key, action::subscribe, "market.eurusd"));   // nothing unless allowed
  // A user named like a key gets nothing of the key's.
  CHECK_FALSE(s.permits(identity_kind::user, alice_key, action::subscribe, "market.eurusd"));
  CHECK(s.permits(identity_kind::user, alice_key, action::call, "public.info"));  // only the defaults
  // An empty permission set permits nothing.
  CHECK_FALSE(zg::permission_set{}.permits(identity_kind::key, alice_key, action::call, "x"));
}

// A subject is tokens separated by '.', none empty and none a wildcard; any
// other is invalid and matches nothing, as in NATS. Before, "market.secret."
// passed a deny of "market.secret.*" ("*" took no token) while "market.>"
// allowed it ('>' looked at nothing after it).
TEST_CASE("permissions: a subject with an empty token or a wildcard token is never permitted, whatever the rules") {
  zg::permission_set s;
  s.allow(identity_kind::key, alice_key, action::publish, "market.>");
  s.deny(identity_kind::key, alice_key, action::publish, "market.secret.*");
  s.allow(identity_kind::key, bob_key, action::publish, ">");
  auto alice_may = [&](std::string_view subject) { return s.permits(identity_kind::key, alice_key, action::publish, subject); };
  auto bob_may = [&](std::string_view subject) { return s.permits(identity_kind::key, bob_key, action::publish, subject); };
  // The attack: what the deny rule is there to stop, spelt with empty tokens.
  for (std::string_view const subject :
       {"market.secret.", "market.secret..plans", "market..secret.plans", "market.secret...", "market."}) {
    INFO(subject);
    CHECK_FALSE(alice_may(subject));
  }
  CHECK_FALSE(alice_may("market.secret.plans"));
  CHECK(alice_may("market.secret.plans.q3"));  // "*" is one token: valid, and not denied
  CHECK(alice_may("market.eurusd"));
  // NATS TestSublistMatchWithEmptyTokens: a subscription to ">" matches none of these.
  for (std::string_view const subject : {".foo", "..foo", "foo..", "foo.", "foo..bar", "foo...bar"}) {
    INFO(subject);
    CHECK_FALSE(bob_may(subject));
  }
  // NATS TestSublistValidLiteralSubjects: under ">", what is permitted is
  // exactly what NATS calls a valid literal subject. A wildcard character
  // inside a longer token is an ordinary character.
  for (std::string_view const subject : {".foo", "foo.", "foo..bar", "foo.bar.*", "foo.bar.>", "*", ">"}) {
    INFO(subject);
    CHECK_FALSE(bob_may(subject));
  }
  for (std::string_view const subject :
       {"foo", "foo*", "foo**", "foo.**", "foo*bar", "foo.*bar", "foo*.bar", "*bar", "foo>", "foo>>", "foo.>>",
        "foo>bar", "foo.>bar", "foo>.bar", ">bar"}) {
    INFO(subject);
    CHECK(bob_may(subject));
  }
  // NATS TestSublistValidSubjects ("." and an embedded NUL): no token, and
  // bytes outside the rules' alphabet (printable ASCII without spaces).
  using namespace std::string_view_literals;
  for (std::string_view const subject : {""sv, "."sv, "foo.bar.baz.\0"sv, "foo.bar\0"sv, "foo. bar"sv, "foo\tbar"sv,
                                         "foo\n"sv, "foo.\x7f"sv, "foo.\xc3\xa9"sv}) {
    INFO(subject);
    CHECK_FALSE(bob_may(subject));
  }
}

// The facts of the nats-server test suite that carry over: the same
// matching rule, asserted on our permission sets. Each group names the NATS
// test its assertions come from (server/sublist_test.go,
// server/client_test.go, test/user_authorization_test.go).
TEST_CASE("permissions: the matching cases of the NATS test suite (tokens, '*', '>', deny wins)") {
  auto allowed_by = [](std::string_view pattern, std::string_view subject) {
    zg::permission_set s;
    s.allow_default(action::publish, pattern);
    return s.permits(identity_kind::user, "anyone", action::publish, subject);
  };
  // TestSublistMatchLiterals: matchLiteral(subject, pattern).
  CHECK(allowed_by("foo", "foo"));
  CHECK_FALSE(allowed_by("bar", "foo"));
  CHECK(allowed_by("*", "foo"));
  CHECK(allowed_by(">", "foo"));
  CHECK(allowed_by(">", "foo.bar"));
  CHECK(allowed_by("foo.>", "foo.bar"));
  CHECK_FALSE(allowed_by("bar.>", "foo.bar"));
  CHECK(allowed_by("stats.>", "stats.test.22"));
  CHECK(allowed_by("stats.*.*", "stats.test.22"));
  CHECK_FALSE(allowed_by("foo", "foo.bar"));
  CHECK(allowed_by("stats.test.foos", "stats.test.foos"));
  CHECK_FALSE(allowed_by("stats.test.foo", "stats.test.foos"));
  CHECK_FALSE(allowed_by("stats.test.*", "stats.test"));
  CHECK_FALSE(allowed_by("stats.*", "stats.test.foos"));
  CHECK_FALSE(allowed_by("stats.*.*.foos", "stats.test.foos"));
  // ... wildcard characters that are not a whole token are literal.
  for (std::string_view const literal :
       {"*bar", "foo*", "foo*bar", "foo.***.bar", ">bar", "foo>", "foo>bar", "foo.>>>.bar"}) {
    INFO(literal);
    CHECK(allowed_by(literal, literal));
  }
  // TestSublistPartialWildcard, TestSublistPartialWildcardAtEnd, TestSublistFullWildcard.
  for (std::string_view const pattern : {"a.b.c", "a.*.c", "a.b.*", "a.>"}) {
    INFO(pattern);
    CHECK(allowed_by(pattern, "a.b.c"));
  }
  // TestSublistTwoTokenPubMatchSingleTokenSub (and TestTwoTokenPubMatchSingleTokenSub).
  CHECK(allowed_by("foo", "foo"));
  CHECK_FALSE(allowed_by("foo", "foo.bar"));
  // TestSublistInsertWithWildcardsAsLiterals: "*-" and ">-" are literal tokens.
  for (std::string_view const pattern : {"foo.*-", "foo.>-"}) {
    INFO(pattern);
    CHECK_FALSE(allowed_by(pattern, "foo.bar"));
    CHECK(allowed_by(pattern, pattern));
  }

  // TestClientSubscribeDenyWildcardOverlapBlocksDelivery: allow ">", deny an
  // overlapping wildcard; the subject the deny matches is refused.
  struct overlap {
    std::string_view deny, blocked, allowed;
  };
  for (auto const& [deny, blocked, allowed] : {overlap{"*.secret", "foo.secret", "foo.public"},
                                               overlap{"foo.*.bar", "foo.baz.bar", "foo.baz.qux"},
                                               overlap{"*.*.bar", "foo.baz.bar", "foo.baz.qux"},
                                               overlap{"a.>", "a.b", "z.b"}}) {
    zg::permission_set s;
    s.allow(identity_kind::user, "attacker", action::subscribe, ">");
    s.deny(identity_kind::user, "attacker", action::subscribe, deny);
    INFO(deny);
    CHECK_FALSE(s.permits(identity_kind::user, "attacker", action::subscribe, blocked));
    CHECK(s.permits(identity_kind::user, "attacker", action::subscribe, allowed));
  }

  // TestUserAuthorizationProto with test/configs/auths.conf (ADMIN,
  // REQUESTOR, DEFAULT_PERMISSIONS, NEW_STYLE), in our file format; only
  // its literal subjects (a NATS SUB may be a wildcard, ours may not).
  auto const set = zg::permission_set::parse("user alice publish allow >\n"
                                             "user alice subscribe allow >\n"
                                             "user bob publish allow req.foo\n"
                                             "user bob publish allow req.bar\n"
                                             "user bob subscribe allow _INBOX.*\n"
                                             "default publish allow SANDBOX.*\n"
                                             "default subscribe allow PUBLIC.>\n"
                                             "default subscribe allow _INBOX.>\n"
                                             "user ns publish allow *.*\n"
                                             "user ns publish deny SYS.*\n"
                                             "user ns publish deny bar.baz\n"
                                             "user ns publish deny foo.*\n"
                                             "user ns subscribe allow foo.*\n"
                                             "user ns subscribe allow SYS.TEST.>\n"
                                             "user ns subscribe deny foo.baz\n"
                                             "user ns subscribe deny SYS.*\n",
                                             "auths.conf");
  auto pub = [&](std::string_view who, std::string_view subject) {
    return set.permits(identity_kind::user, who, action::publish, subject);
  };
  auto sub = [&](std::string_view who, std::string_view subject) {
    return set.permits(identity_kind::user, who, action::subscribe, subject);
  };
  CHECK(pub("alice", "foo"));
  CHECK(sub("alice", "foo"));
  CHECK(pub("alice", "_"));
  CHECK_FALSE(sub("bob", "foo"));
  CHECK_FALSE(pub("bob", "foo"));
  CHECK(sub("bob", "_INBOX.abcd"));
  CHECK(pub("bob", "req.foo"));
  CHECK(pub("bob", "req.bar"));
  CHECK_FALSE(pub("joe", "foo.bar.baz"));  // joe has no rules: the defaults
  CHECK(sub("joe", "_INBOX.abcd"));
  CHECK(sub("joe", "PUBLIC.abcd"));
  CHECK(pub("joe", "SANDBOX.foo"));
  CHECK(pub("joe", "SANDBOX.bar"));
  CHECK_FALSE(pub("joe", "SANDBOX.foo.bar"));  // "*" is one token
  CHECK(pub("ns", "SANDBOX.foo"));
  CHECK(pub("ns", "baz.bar"));
  CHECK(pub("ns", "baz.foo"));
  for (std::string_view const subject : {"foo", "bar", "foo.bar", "foo.bar.baz", "SYS.1"}) {
    INFO(subject);
    CHECK_FALSE(pub("ns", subject));  // deny wins, or no allow rule matches
  }
  CHECK(sub("ns", "foo.bar"));
  CHECK(sub("ns", "foo.foo"));
  CHECK_FALSE(sub("ns", "foo"));
  CHECK_FALSE(sub("ns", "foo.baz"));
}

// A rule's pattern follows the grammar NATS gives a subscription: a file
// with one that does not is refused at its line, nothing of it applied.
TEST_CASE("permissions: a rule pattern with an empty token or '>' before the end is refused with its file and line") {
  auto refused = [](std::string_view pattern) {
    try {
      (void)zg::permission_set::parse("default call allow ok\n# a comment\nuser bob publish deny " +
                                          std::string(pattern) + "\n",
                                      "perms.txt");
    } catch (zg::permission_error const& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  // TestSublistInvalidSubjectsInsert, TestSublistValidSubjects (false),
  // TestSublistBadSubjectOnRemove.
  for (std::string_view const pattern :
       {".foo", "foo.", "foo..bar", "foo.bar..baz", "foo.>.bar", ".", ">.bar", "a.b..d", "a.>.b"}) {
    INFO(pattern);
    auto const why = refused(pattern);
    CHECK(why.starts_with("zguard permissions: perms.txt:3: "));
    CHECK((why.ends_with("has an empty token") || why.ends_with("'>' may only be the last token")));
  }
  // TestSublistValidSubjects (true).
  for (std::string_view const pattern :
       {"foo", "foo.bar.*", "foo.bar.>", "*", ">", "foo*", "foo**", "foo.**", "foo*bar", "foo.*bar", "foo*.bar", "*bar",
        "foo>", "foo.>>", "foo>bar", "foo.>bar", "foo>.bar", ">bar"}) {
    INFO(pattern);
    CHECK(refused(pattern) == "accepted");
  }
  // ... and an embedded NUL, or any byte a subject may not hold.
  using namespace std::string_view_literals;
  for (std::string_view const pattern : {"foo.bar.baz.\0"sv, "foo.\x7f"sv, "foo.\xc3\xa9"sv}) {
    zg::permission_set s;
    CHECK_THROWS_WITH_AS(s.allow(identity_kind::user, "bob", action::publish, pattern),
                         doctest::Contains("must be printable ASCII without spaces (byte 0x"), zg::permission_error);
  }
  CHECK(zg::valid_subject("foo.bar"));
  CHECK_FALSE(zg::valid_subject("foo.*"));
}

namespace {
// The rule, rule by rule, as simply as it can be said: the reference the
// token tree is compared with.
bool reference_matches(std::vector<std::string> const& q, std::vector<std::string> const& s) {
  for (std::size_t i = 0; i < q.size(); ++i) {
    if (q[i] == ">") return s.size() > i;
    if (i == s.size() || (q[i] != "*" && q[i] != s[i])) return false;
  }
  return q.size() == s.size();
}
// A prefix: its complete tokens and the partial last one.
bool reference_covers(std::vector<std::string> const& q, std::vector<std::string> const& complete) {
  for (std::size_t i = 0; i < q.size(); ++i) {
    if (q[i] == ">") return true;
    if (i == complete.size() || (q[i] != "*" && q[i] != complete[i])) return false;
  }
  return false;
}
bool reference_meets(std::vector<std::string> const& q, std::vector<std::string> const& complete,
                     std::string const& partial) {
  for (std::size_t i = 0; i < complete.size(); ++i) {
    if (i == q.size()) return false;
    if (q[i] == ">") return true;
    if (q[i] != "*" && q[i] != complete[i]) return false;
  }
  auto const k = complete.size();
  return k < q.size() && (q[k] == ">" || q[k] == "*" || q[k].starts_with(partial));
}
}  // namespace

TEST_CASE("permissions: the token tree decides as the rule-by-rule reference, on random rules and valid subjects") {
  std::mt19937 rng(20261206);  // fixed: the same cases every run
  auto pick = [&](auto const& from) { return from[std::uniform_int_distribution<std::size_t>(0, from.size() - 1)(rng)]; };
  auto count = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  std::vector<std::string> const literal{"a", "b", "ab", "abc", "b*", ">x"};
  std::vector<std::string> const pattern_token{"a", "b", "ab", "abc", "b*", ">x", "*", "*"};
  auto dotted = [](std::vector<std::string> const& t) {
    std::string out;
    for (std::size_t i = 0; i < t.size(); ++i) out += (i == 0 ? "" : ".") + t[i];
    return out;
  };
  struct rule {
    bool allow;
    action a;
    std::vector<std::string> q;
  };
  int compared = 0;
  for (int round = 0; round < 150; ++round) {
    zg::permission_set set;
    std::vector<rule> own, defaults;
    for (int i = count(0, 25); i > 0; --i) {
      rule r{count(0, 2) != 0, action(count(0, 2)), {}};
      for (int n = count(1, 4); n > 0; --n) r.q.push_back(pick(pattern_token));
      if (count(0, 3) == 0) r.q.back() = ">";
      bool const mine = count(0, 3) != 0;
      auto const text = dotted(r.q);
      if (mine) (r.allow ? set.allow(identity_kind::user, "u", r.a, text) : set.deny(identity_kind::user, "u", r.a, text));
      else (r.allow ? set.allow_default(r.a, text) : set.deny_default(r.a, text));
      (mine ? own : defaults).push_back(std::move(r));
    }
    for (int i = 0; i < 60; ++i) {
      bool const as_u = count(0, 1) == 0;
      auto const& rules = as_u && !own.empty() ? own : defaults;
      std::string const who = as_u ? "u" : "someone";
      action const a = action(count(0, 2));
      std::vector<std::string> s;
      for (int n = count(1, 5); n > 0; --n) s.push_back(pick(literal));
      auto const decided_by = [&](auto&& fits) {
        bool allowed = false;
        for (auto const& r : rules)
          if (r.a == a && fits(r.q)) {
            if (!r.allow) return false;
            allowed = true;
          }
        return allowed;
      };
      auto const subject = dotted(s);
      INFO("round ", round, " subject ", subject);
      CHECK(set.permits(identity_kind::user, who, a, subject) ==
            decided_by([&](auto const& q) { return reference_matches(q, s); }));
      // The same tokens as a prefix: cut somewhere inside the last token.
      auto const partial = s.back().substr(0, std::size_t(count(0, int(s.back().size()))));
      auto complete = s;
      complete.pop_back();
      auto const prefix = dotted(complete) + (complete.empty() ? "" : ".") + partial;
      INFO("prefix ", prefix);
      bool const any_deny_meets = std::any_of(rules.begin(), rules.end(), [&](rule const& r) {
        return r.a == a && !r.allow && reference_meets(r.q, complete, partial);
      });
      bool const an_allow_covers = std::any_of(rules.begin(), rules.end(), [&](rule const& r) {
        return r.a == a && r.allow && reference_covers(r.q, complete);
      });
      CHECK(set.permits_prefix(identity_kind::user, who, a, prefix) == (!any_deny_meets && an_allow_covers));
      // One token made empty or a wildcard: invalid, never permitted.
      s[std::size_t(count(0, int(s.size()) - 1))] = pick(std::vector<std::string>{"", "*", ">"});
      CHECK_FALSE(set.permits(identity_kind::user, who, a, dotted(s)));
      ++compared;
    }
  }
  CHECK(compared == 150 * 60);
}

TEST_CASE("permissions: the file format, and every bad line named with its file and line") {
  auto s = zg::permission_set::parse("# who may do what\n"
                                     "default call allow public.*\n"
                                     "\n"
                                     "key " + alice_key + " call allow test.order\n"
                                     "user bob subscribe allow market.>\n"
                                     "user bob subscribe deny market.secret.>\n",
                                     "perms.txt");
  CHECK(s.identities() == 2);
  CHECK(s.permits(identity_kind::key, alice_key, action::call, "test.order"));
  CHECK(s.permits(identity_kind::user, "bob", action::subscribe, "market.eurusd"));
  CHECK_FALSE(s.permits(identity_kind::user, "bob", action::subscribe, "market.secret.plans"));
  CHECK(s.permits(identity_kind::user, "carol", action::call, "public.info"));
  auto refused = [](std::string const& text) {
    try {
      (void)zg::permission_set::parse(text, "p.txt");
    } catch (zg::permission_error const& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  CHECK(refused("default call allow x\nsomeone call allow x\n") ==
        "zguard permissions: p.txt:2: a rule starts with 'default', 'key <Z85 public key>', 'cert <certificate "
        "file>' or 'user <name>'");
  CHECK(refused("default read allow x\n") == "zguard permissions: p.txt:1: action 'read' is not one of call, subscribe, publish");
  CHECK(refused("default call maybe x\n") == "zguard permissions: p.txt:1: 'maybe' is not allow or deny");
  CHECK(refused("default call allow\n") == "zguard permissions: p.txt:1: expected: <who> <call|subscribe|publish> <allow|deny> <pattern>");
  CHECK(refused("default call allow a.>.b\n").find("'>' may only be the last token") != std::string::npos);
  CHECK(refused("default call allow a..b\n").find("has an empty token") != std::string::npos);
  CHECK(refused("key notakey call allow x\n").starts_with("zguard permissions: p.txt:1: "));
  CHECK(refused("default call allow x\r\n").find("carriage return") != std::string::npos);
  CHECK(refused("user bob call allow x y\n").find("p.txt:1: expected") != std::string::npos);
}

TEST_CASE("permissions files: others may not write them, a reload that fails keeps the set in force") {
  temp_dir dir;
  auto const path = dir.path / "perms";
  write_file(path, "key " + alice_key + " call allow test.order\n", 0664);
  CHECK_THROWS_WITH_AS(zg::permissions::from_file(path), doctest::Contains("writable by group or others"),
                       zg::permission_error);
  ::chmod(path.c_str(), 0644);
  auto p = zg::permissions::from_file(path);
  CHECK(p.permits(identity_kind::key, alice_key, action::call, "test.order"));
  CHECK_FALSE(p.permits(identity_kind::key, bob_key, action::call, "test.order"));
  write_file(path, "key " + bob_key + " call allow test.order\nkey broken call allow x\n");
  CHECK_THROWS_WITH_AS(p.reload(), doctest::Contains(":2: "), zg::permission_error);
  CHECK(p.permits(identity_kind::key, alice_key, action::call, "test.order"));  // the old set stays
  write_file(path, "key " + bob_key + " call allow test.order\n");
  p.reload();
  CHECK(p.permits(identity_kind::key, bob_key, action::call, "test.order"));
  CHECK_FALSE(p.permits(identity_kind::key, alice_key, action::call, "test.order"));
}

// Attacks on the file itself: whoever can make the reader take another
// file, or change this one, decides who may do what.
TEST_CASE("permissions files: a symlink, a FIFO, a file in a directory others can write, a file or directory of "
          "another owner, a huge file are all refused") {
  temp_dir dir;
  std::string const rules = "key " + alice_key + " call allow test.order\n";
  auto const refused_with = [](std::filesystem::path const& p, std::string const& text) {
    try {
      (void)zg::permissions::from_file(p);
    } catch (zg::permission_error const& e) {
      return std::string(e.what()).find(text) != std::string::npos;
    }
    return false;
  };
  // A symlink to a good file: the link's target is not what was checked.
  write_file(dir.path / "real", rules);
  std::filesystem::create_symlink(dir.path / "real", dir.path / "link");
  CHECK(refused_with(dir.path / "link", "is a symlink"));
  CHECK(zg::permissions::from_file(dir.path / "real").permits(identity_kind::key, alice_key, action::call,
                                                              "test.order"));
  // A FIFO: refused at once, not waited on.
  REQUIRE(::mkfifo((dir.path / "fifo").c_str(), 0600) == 0);
  CHECK(refused_with(dir.path / "fifo", "is not a regular file"));
  // A directory others may write: they could put their own file in its place.
  std::filesystem::create_directory(dir.path / "open");
  write_file(dir.path / "open" / "perms", rules);
  ::chmod((dir.path / "open").c_str(), 0777);
  CHECK(refused_with(dir.path / "open" / "perms", "which group or others can write"));
  ::chmod((dir.path / "open").c_str(), 0775);
  CHECK(refused_with(dir.path / "open" / "perms", "which group or others can write"));
  // Sticky (like /tmp): others may not replace a file they do not own.
  ::chmod((dir.path / "open").c_str(), 01777);
  CHECK_NOTHROW((void)zg::permissions::from_file(dir.path / "open" / "perms"));
  ::chmod((dir.path / "open").c_str(), 0755);
  CHECK_NOTHROW((void)zg::permissions::from_file(dir.path / "open" / "perms"));
  // Larger than any permission file: refused before it is read; at the bound exactly, read.
  write_file(dir.path / "huge", std::string((4u << 20) + 1, '#'));
  CHECK(refused_with(dir.path / "huge", "is larger than"));
  write_file(dir.path / "at_bound", rules + std::string((4u << 20) - rules.size() - 1, '#') + "\n");
  CHECK(zg::permissions::from_file(dir.path / "at_bound")
            .permits(identity_kind::key, alice_key, action::call, "test.order"));
  // Another owner (only root can make one here): the file, then its directory.
  if (::geteuid() == 0) {
    REQUIRE(::chown((dir.path / "real").c_str(), 65534, 65534) == 0);
    CHECK(refused_with(dir.path / "real", "is owned by uid 65534, neither this user nor root"));
    REQUIRE(::chown((dir.path / "real").c_str(), 0, 0) == 0);
    std::filesystem::create_directory(dir.path / "theirs");
    write_file(dir.path / "theirs" / "perms", rules);
    REQUIRE(::chown((dir.path / "theirs").c_str(), 65534, 65534) == 0);
    CHECK(refused_with(dir.path / "theirs" / "perms", "owned by uid 65534, neither this user nor root (who owns"));
  } else {
    MESSAGE("not root: the other-owner cases need chown and are checked in CI, which runs as root");
  }
}

// Only the file's own directory was checked. An attacker who can write a
// directory further up moves the checked directory aside and puts a link to
// another directory of ours in its place: an older rules file, owned by us,
// 0644, in a 0755 directory, passes every check made on it.
TEST_CASE("permissions files: every directory on the way must be as safe as the file's own, links followed") {
  namespace fs = std::filesystem;
  temp_dir dir;
  auto const shared = dir.path / "shared";  // the attacker may write it (not sticky)
  fs::create_directories(shared / "current");
  fs::create_directories(shared / "old");
  write_file(shared / "current" / "perms", "key " + alice_key + " call allow test.order\n");
  write_file(shared / "old" / "perms", "key " + bob_key + " call allow test.order\n");  // bob's access was revoked
  ::chmod(shared.c_str(), 0777);
  auto const from = [](fs::path const& p) -> std::string {
    try {
      auto const set = zg::permissions::from_file(p);
      return set.permits(identity_kind::key, bob_key, action::call, "test.order") ? "bob may call" : "bob may not";
    } catch (zg::permission_error const& e) {
      return e.what();
    }
  };
  // The attack: no write to any file, only renames in the shared directory.
  fs::rename(shared / "current", shared / "moved");
  fs::create_directory_symlink(shared / "old", shared / "current");
  auto const got = from(shared / "current" / "perms");
  INFO("the error: ", got);
  CHECK(got.find("is below " + shared.string() + ", which group or others can write (mode 0777, not sticky)") !=
        std::string::npos);
  // Group-writable is no better; sticky (like /tmp) is: others cannot move what they do not own.
  ::chmod(shared.c_str(), 0775);
  CHECK(from(shared / "moved" / "perms").find("which group or others can write (mode 0775") != std::string::npos);
  ::chmod(shared.c_str(), 01777);
  CHECK(from(shared / "moved" / "perms") == "bob may not");
  ::chmod(shared.c_str(), 0755);
  CHECK(from(shared / "moved" / "perms") == "bob may not");
  // A link on the way is followed and its target's directories checked, as
  // is the directory holding the link: here a safe link into the open one.
  auto const open = dir.path / "open";
  fs::create_directories(open / "rules");
  write_file(open / "rules" / "perms", "key " + alice_key + " call allow test.order\n");
  fs::create_directory_symlink(open / "rules", dir.path / "rules");
  CHECK(from(dir.path / "rules" / "perms") == "bob may not");
  ::chmod(open.c_str(), 0777);
  CHECK(from(dir.path / "rules" / "perms").find("is below " + open.string() + ", which group or others can write") !=
        std::string::npos);
  // Relative links and '..' resolve as the kernel resolves them: "up" is
  // open/rules/../dir-x/.. = open (read lexically from dir/rules, it would
  // name dir/dir-x, which does not exist).
  ::chmod(open.c_str(), 0755);
  fs::create_directories(open / "dir-x");
  fs::create_directory_symlink("../dir-x/..", dir.path / "rules" / "up");
  CHECK(from(dir.path / "rules" / "up" / "rules" / "perms") == "bob may not");
  if (::geteuid() == 0) {
    REQUIRE(::chown(open.c_str(), 65534, 65534) == 0);
    CHECK(from(dir.path / "rules" / "perms").find("is below " + open.string() + ", owned by uid 65534") !=
          std::string::npos);
  } else {
    MESSAGE("not root: the other-owner case needs chown and is checked in CI, which runs as root");
  }
}

TEST_CASE("permissions by certificate file: a key named by its cert, read again on reload after a rotation") {
  temp_dir dir;
  std::filesystem::create_directory(dir.path / "clients");
  auto const bob_v1 = zg::keypair::generate(), bob_v2 = zg::keypair::generate(), carol = zg::keypair::generate();
  zg::save_certificate(dir.path / "clients" / "bob.cert", bob_v1);
  zg::save_certificate(dir.path / "clients" / "carol.cert", carol);
  auto const path = dir.path / "perms";
  write_file(path, "cert clients/bob.cert call allow test.*\ncert clients/carol.cert subscribe allow test.>\n");
  auto p = zg::permissions::from_file(path);
  CHECK(p.permits(identity_kind::key, bob_v1.public_part().z85(), action::call, "test.order"));
  CHECK_FALSE(p.permits(identity_kind::key, carol.public_part().z85(), action::call, "test.order"));
  CHECK(p.permits(identity_kind::key, carol.public_part().z85(), action::subscribe, "test.tick"));
  CHECK(p.audit().find("key " + bob_v1.public_part().z85() + " (cert clients/bob.cert) call allow test.*\n") !=
        std::string::npos);
  // Bob's key is rotated: the file is unchanged, a reload reads the new certificate.
  std::filesystem::remove(dir.path / "clients" / "bob.cert");
  std::filesystem::remove(dir.path / "clients" / "bob.cert_secret");
  zg::save_certificate(dir.path / "clients" / "bob.cert", bob_v2);
  p.reload();
  CHECK(p.permits(identity_kind::key, bob_v2.public_part().z85(), action::call, "test.order"));
  CHECK_FALSE(p.permits(identity_kind::key, bob_v1.public_part().z85(), action::call, "test.order"));
  // A missing or malformed certificate, or one key under two names, is an error naming the line; the set stays.
  write_file(path, "cert clients/bob.cert call allow test.*\ncert clients/dave.cert call allow test.*\n");
  CHECK_THROWS_WITH_AS(p.reload(), doctest::Contains("perms:2: "), zg::permission_error);
  write_file(dir.path / "clients" / "eve.cert", "not a certificate\n");
  write_file(path, "cert clients/eve.cert call allow test.*\n");
  CHECK_THROWS_WITH_AS(p.reload(), doctest::Contains("perms:1: "), zg::permission_error);
  std::filesystem::copy_file(dir.path / "clients" / "bob.cert", dir.path / "clients" / "bob-again.cert");
  write_file(path, "cert clients/bob.cert call allow test.*\ncert clients/bob-again.cert call allow x.*\n");
  CHECK_THROWS_WITH_AS(p.reload(), doctest::Contains("is also the key of clients/bob.cert"), zg::permission_error);
  CHECK(p.permits(identity_kind::key, bob_v2.public_part().z85(), action::call, "test.order"));
  // The certificate decides who gets the rights: one others can write, or a link to one, is refused.
  write_file(path, "cert clients/bob.cert call allow test.*\n");
  ::chmod((dir.path / "clients" / "bob.cert").c_str(), 0666);
  CHECK_THROWS_WITH_AS(p.reload(), doctest::Contains("bob.cert is writable by group or others"), zg::permission_error);
  ::chmod((dir.path / "clients" / "bob.cert").c_str(), 0644);
  std::filesystem::create_symlink(dir.path / "clients" / "carol.cert", dir.path / "clients" / "link.cert");
  write_file(path, "cert clients/link.cert call allow test.*\n");
  CHECK_THROWS_WITH_AS(p.reload(), doctest::Contains("link.cert is a symlink"), zg::permission_error);
  CHECK(p.permits(identity_kind::key, bob_v2.public_part().z85(), action::call, "test.order"));
  // Rules given as text have no directory for a relative path.
  CHECK_THROWS_WITH_AS(zg::permission_set::parse("cert clients/bob.cert call allow x\n", "inline"),
                       doctest::Contains("inline:1: a relative cert path needs"), zg::permission_error);
}

namespace {
using order_service = zg::service<order, order_ack>;
using guarded_rep =
    zg::socket<test_domain, zg::tcp, zg::rep, zg::curve_server, rr_limits, order_service, zg::authorized>;
using order_req = zg::socket<test_domain, zg::tcp, zg::req, zg::curve_client, rr_limits, order_service>;

// An authorized order service on tcp in its own thread, counting what reached its handler.
struct order_server {
  std::promise<std::string> bound;  // before the thread: it outlives the thread's use of it
  std::jthread thread;
  std::string endpoint;
  order_server(zg::context<test_domain>& ctx, zg::authenticator<test_domain>& auth, zg::keypair const& keys,
               zg::permissions& perms, std::atomic<int>& served) {
    thread = std::jthread([this, &ctx, &auth, &perms, &served, &keys](std::stop_token stop) {
      guarded_rep rep(ctx, auth, keys, perms);
      bound.set_value(rep.bind("tcp://127.0.0.1:*").address);
      rep.serve(
          [&](order const& o, zg::peer_info const&) {
            ++served;
            return order_ack{o.id, true, "served"};
          },
          stop);
    });
    endpoint = bound.get_future().get();
  }
  void request_stop() { thread.request_stop(); }
};
}  // namespace

TEST_CASE("authorized service over CURVE: a key that may not call is refused before decoding, told why, "
          "logged, a reload while the service runs lets it in") {
  captured_events seen;
  temp_dir dir;
  zg::context<test_domain> ctx(seen.sink());
  zg::authenticator<test_domain> auth(ctx);
  auto server_keys = zg::keypair::generate(), alice = zg::keypair::generate(), bob = zg::keypair::generate();
  auth.allow(alice.public_part());
  auth.allow(bob.public_part());  // both authenticate; only alice may call
  auto const path = dir.path / "perms";
  write_file(path, "key " + alice.public_part().z85() + " call allow test.order\n");
  auto perms = zg::permissions::from_file(path);

  std::atomic<int> served = 0;
  order_server server(ctx, auth, server_keys, perms, served);
  auto const& endpoint = server.endpoint;
  order_req as_alice(ctx, alice, server_keys.public_part()), as_bob(ctx, bob, server_keys.public_part());
  as_alice.connect(endpoint);
  as_bob.connect(endpoint);

  auto a = as_alice.call(numbered_order(1));
  REQUIRE_MESSAGE(a.ok(), a.reason());
  CHECK(guarded_rep::profile().find("; authorized=call (permissions per key)") != std::string::npos);
  auto b = as_bob.call(numbered_order(2));
  CHECK(b.status() == zg::call_status::refused_by_service);
  CHECK(b.reason() == "not permitted: call test.order");
  CHECK(served == 1);  // bob's request never reached the handler
  auto denied = seen.named("authz.denied");
  REQUIRE(denied.size() == 1);
  CHECK(denied[0].field("identity") == bob.public_part().z85());
  CHECK(denied[0].field("action") == "call");
  CHECK(denied[0].field("subject") == "test.order");

  // Reloaded while serving: now bob, not alice.
  write_file(path, "key " + bob.public_part().z85() + " call allow test.order\n");
  perms.reload();
  auto b2 = as_bob.call(numbered_order(3));
  CHECK_MESSAGE(b2.ok(), b2.reason());
  auto a2 = as_alice.call(numbered_order(4));
  CHECK(a2.status() == zg::call_status::refused_by_service);
  CHECK(served == 2);

  // An outside peer (pyzmq) with alice's key: refused before its bytes are
  // even decoded, and told why.
  zg::save_certificate(dir.path / "server.cert", server_keys);
  zg::save_certificate(dir.path / "alice.cert", alice);
  auto [rc, out] = run_command(python_script("curve_req_client.py " + endpoint + " " +
                                             (dir.path / "server.cert").string() + " " +
                                             (dir.path / "alice.cert_secret").string() +
                                             " 'not even a schema message'"));
  CHECK(rc == 0);
  CHECK(out.find("not permitted: call test.order") != std::string::npos);
  CHECK(served == 2);
  server.request_stop();
}

TEST_CASE("authorized service of several request schemas: each request is judged by its own schema's name, also "
          "when answered later") {
  using jobs = zg::one_of<order, tick>;
  using jobs_service = zg::service<jobs, order_ack>;
  using jobs_router = zg::socket<test_domain, zg::tcp, zg::router, zg::curve_server, rr_limits, jobs_service,
                                 zg::authorized>;
  using jobs_req = zg::socket<test_domain, zg::tcp, zg::req, zg::curve_client, rr_limits, jobs_service>;
  captured_events seen;
  zg::context<test_domain> ctx(seen.sink());
  zg::authenticator<test_domain> auth(ctx);
  auto server_keys = zg::keypair::generate(), alice = zg::keypair::generate(), bob = zg::keypair::generate();
  auth.allow(alice.public_part()).allow(bob.public_part());
  auto const rules = [&](bool alice_orders) {
    return (alice_orders ? "key " + alice.public_part().z85() + " call allow test.order\n" : std::string()) +
           "key " + bob.public_part().z85() + " call allow test.>\n";
  };
  zg::permissions perms(zg::permission_set::parse(rules(true), "test"));
  std::promise<std::string> bound;
  std::atomic<int> served = 0;
  std::jthread thread([&](std::stop_token stop) {
    jobs_router router(ctx, auth, server_keys, perms);
    bound.set_value(router.bind("tcp://127.0.0.1:*").address);
    router.serve(
        [&](jobs const& j, zg::peer_info const&) {
          ++served;
          if (auto const* o = std::get_if<order>(&j.as_variant())) {
            // alice's order 9 is answered after her permission to order was taken away
            if (o->id == 9) perms.replace(zg::permission_set::parse(rules(false), "test"));
            return order_ack{o->id, true, "order"};
          }
          return order_ack{std::get<tick>(j.as_variant()).seq, true, "tick"};
        },
        stop);
  });
  auto const ep = bound.get_future().get();
  jobs_req as_alice(ctx, alice, server_keys.public_part()), as_bob(ctx, bob, server_keys.public_part());
  as_alice.connect(ep);
  as_bob.connect(ep);

  auto const a1 = as_alice.call(numbered_order(1), 1);
  REQUIRE_MESSAGE(a1.ok(), a1.reason());
  auto const a2 = as_alice.call(tick{"X", 1, 2}, 1);  // a job type she may not call
  CHECK(a2.status() == zg::call_status::refused_by_service);
  CHECK(a2.reason() == "not permitted: call test.tick");
  auto const b3 = as_bob.call(tick{"X", 1, 3}, 1);
  REQUIRE_MESSAGE(b3.ok(), b3.reason());
  CHECK(b3->id == 3);
  CHECK(b3->note.str() == "tick");
  auto const b4 = as_bob.call(numbered_order(4), 1);
  CHECK(b4.ok());
  CHECK(served == 3);  // alice's tick never reached the handler
  auto denied = seen.named("authz.denied");
  REQUIRE(denied.size() == 1);
  CHECK(denied[0].field("identity") == alice.public_part().z85());
  CHECK(denied[0].field("subject") == "test.tick");

  // Judged again before the answer, by that request's own name.
  auto const a9 = as_alice.call(numbered_order(9), 1);
  CHECK(a9.status() == zg::call_status::refused_by_service);
  CHECK(a9.reason() == "not permitted: call test.order");
  CHECK(served == 4);
  CHECK(as_bob.call(tick{"X", 1, 10}, 1).ok());
  thread.request_stop();
}

// A caller judged before decoding, by the name in the request's header: a
// request it may not call is refused "not permitted" whatever its body (a
// decode error would name the schema's fields to a caller with no right to
// them), and a header naming no alternative is still a decode refusal.
TEST_CASE("authorized service of several request schemas: a request the caller may not call is refused before its body "
          "is read") {
  using jobs = zg::one_of<order, tick>;
  using jobs_rep = zg::socket<test_domain, zg::tcp, zg::rep, zg::curve_server, rr_limits, zg::service<jobs, order_ack>,
                              zg::authorized>;
  captured_events seen;
  zg::context<test_domain> ctx(seen.sink());
  zg::authenticator<test_domain> auth(ctx);
  auto server_keys = zg::keypair::generate(), alice = zg::keypair::generate();
  auth.allow(alice.public_part());
  zg::permissions perms(zg::permission_set::parse("key " + alice.public_part().z85() + " call allow test.order\n", "t"));
  std::promise<std::string> bound;
  std::atomic<int> ticks_served = 0;
  std::jthread thread([&](std::stop_token stop) {
    jobs_rep rep(ctx, auth, server_keys, perms);
    bound.set_value(rep.bind("tcp://127.0.0.1:*").address);
    rep.serve(
        [&](jobs const& j, zg::peer_info const&) {
          if (std::get_if<tick>(&j.as_variant())) ++ticks_served;
          return order_ack{1, true, "x"};
        },
        stop);
  });
  auto const ep = bound.get_future().get();
  zmq::context_t raw;
  auto req = raw_curve(raw, zmq::socket_type::req, alice, server_keys, 2000, 1000);
  req.connect(ep);
  auto const ask = [&](std::vector<std::uint8_t> const& bytes) -> std::string {
    if (!req.send(zmq::buffer(bytes))) return "not sent";
    zmq::message_t m;
    if (!req.recv(m)) return "no answer";
    if (auto r = zg::decode<zg::refusal>(m.data(), m.size())) return "refusal: " + r->field.str();
    if (zg::decode<order_ack>(m.data(), m.size())) return "ack";
    return "other";
  };
  auto tick_bytes = zg::encode(tick{"X", 1, 2});
  auto const truncated = std::vector<std::uint8_t>(tick_bytes.begin(), tick_bytes.end() - 3);
  CHECK(ask(truncated) == "refusal: not permitted: call test.tick");  // not "truncated at seq"
  std::string const from = "test.tick", to = "test.ordr";  // a header name no alternative has
  auto it = std::search(tick_bytes.begin(), tick_bytes.end(), from.begin(), from.end());
  REQUIRE(it != tick_bytes.end());
  std::copy(to.begin(), to.end(), it);
  CHECK(ask(tick_bytes) == "refusal: not permitted: call test.ordr");  // judged by its name, never decoded
  CHECK(ask(zg::encode(sample_order())) == "ack");
  CHECK(ticks_served == 0);
  INFO("events: ", seen);
  CHECK(seen.named("message.refused").empty());  // nothing of hers was decoded but the order
  thread.request_stop();
}

namespace {
using tick_feed = zg::topic<"test.tick", tick>;
using feed_limits = zg::limits<zg::send_hwm<1000>, zg::recv_hwm<1000>, zg::drop_when_full, zg::max_message_size<4096>,
                               zg::linger_ms<0>, zg::send_timeout_ms<100>, zg::recv_timeout_ms<100>,
                               zg::handshake_timeout_ms<2000>>;
using guarded_feed = zg::socket<test_domain, zg::tcp, zg::xpub, zg::curve_server, feed_limits, tick_feed, zg::authorized>;
using tick_sub = zg::socket<test_domain, zg::tcp, zg::sub, zg::curve_client, feed_limits, tick_feed>;

// A raw CURVE SUB subscribed to `prefix` ("" is everything).
zmq::socket_t raw_sub(zmq::context_t& raw, zg::keypair const& me, zg::keypair const& server, std::string const& endpoint,
                      std::string const& prefix) {
  auto s = raw_curve(raw, zmq::socket_type::sub, me, server, 20, -1);
  s.set(zmq::sockopt::subscribe, prefix);
  s.connect(endpoint);
  return s;
}
int drain(zmq::socket_t& s) {
  int n = 0;
  for (zmq::message_t m; s.recv(m);) n += !m.more();
  return n;
}
}  // namespace

TEST_CASE("authorized feed (XPUB): only a subscriber whose key may read the topic is let in, a wider prefix "
          "reaches no further, a reload lets a new one in and cuts off one it revoked") {
  captured_events seen;
  temp_dir dir;
  zg::context<test_domain> ctx(seen.sink());
  zg::authenticator<test_domain> auth(ctx);
  auto server = zg::keypair::generate(), alice = zg::keypair::generate(), bob = zg::keypair::generate(),
       carol = zg::keypair::generate();
  for (auto* k : {&alice, &bob, &carol}) auth.allow(k->public_part());  // all authenticate
  auto const path = dir.path / "perms";
  write_file(path, "key " + alice.public_part().z85() + " subscribe allow test.>\n" +
                       "key " + carol.public_part().z85() + " subscribe allow other.topic\n");
  auto perms = zg::permissions::from_file(path);
  guarded_feed pub(ctx, auth, server, perms);
  auto const endpoint = pub.bind("tcp://127.0.0.1:*").address;

  tick_sub typed_alice(ctx, alice, server.public_part());
  typed_alice.connect(endpoint);
  zmq::context_t raw;
  auto wide_alice = raw_sub(raw, alice, server, endpoint, "");   // everything: gets the feed, which is all there is
  auto wide_bob = raw_sub(raw, bob, server, endpoint, "");       // everything, and may read nothing
  auto carol_sub = raw_sub(raw, carol, server, endpoint, "test");  // a prefix of a topic she may not read

  std::uint32_t seq = 0;
  int alice_typed = 0, alice_wide = 0, bob_got = 0, carol_got = 0;
  auto const deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while ((alice_typed < 20 || alice_wide < 20) && std::chrono::steady_clock::now() < deadline) {
    (void)pub.send(tick{"T", 1, ++seq});
    if (typed_alice.receive()) ++alice_typed;
    alice_wide += drain(wide_alice);
    bob_got += drain(wide_bob);
    carol_got += drain(carol_sub);
  }
  CHECK(guarded_feed::profile().find("; authorized=subscribe (permissions per key)") != std::string::npos);
  CHECK(alice_typed >= 20);
  CHECK(alice_wide >= 20);
  CHECK(bob_got == 0);
  CHECK(carol_got == 0);
  // Refused when they connect (each reconnection is asked again).
  auto const denied_to = [&](zg::keypair const& k) {
    auto const d = seen.named("authz.denied");
    return std::count_if(d.begin(), d.end(), [&](auto const& e) { return e.field("identity") == k.public_part().z85(); });
  };
  CHECK(eventually([&] { return denied_to(bob) >= 1 && denied_to(carol) >= 1; }));
  for (auto const& e : seen.named("authz.denied")) {
    CHECK(e.field("action") == "subscribe");
    CHECK(e.field("subject") == "test.tick");
    CHECK((e.field("identity") == bob.public_part().z85() || e.field("identity") == carol.public_part().z85()));
  }
  CHECK(denied_to(alice) == 0);

  // Reloaded: bob may read now, alice no longer. Bob's next connection is
  // let in; alice's connections are cut, and her reconnections refused.
  write_file(path, "key " + bob.public_part().z85() + " subscribe allow test.tick\n");
  perms.reload();
  auto bob_again = raw_sub(raw, bob, server, endpoint, "test.");
  CHECK(eventually([&] {
    (void)pub.send(tick{"T", 1, ++seq});
    (void)drain(wide_alice);
    return drain(bob_again) > 0 && !seen.named("authz.revoked").empty();
  }));
  auto const revoked = seen.named("authz.revoked");
  REQUIRE(revoked.size() == 1);
  CHECK(revoked[0].field("identities") == alice.public_part().z85());
  CHECK(revoked[0].field("subject") == "test.tick");
  CHECK(revoked[0].field("connections_cut") != "0");
  CHECK(eventually([&] { return denied_to(alice) >= 1; }));  // she reconnected, and was refused
  // What was on its way to her before the cut has arrived or is gone.
  for (int i = 0; i < 5; ++i) {
    while (typed_alice.receive()) {
    }
    (void)drain(wide_alice);
  }
  int bob_now = 0, alice_now = 0;
  for (int i = 0; i < 40 && bob_now < 20; ++i) {
    (void)pub.send(tick{"T", 1, ++seq});
    bob_now += drain(bob_again);
    alice_now += drain(wide_alice);
    if (typed_alice.receive()) ++alice_now;
  }
  CHECK(bob_now >= 20);
  CHECK(alice_now == 0);
}

namespace {
using vouch_front = zg::socket<test_domain, zg::tcp, zg::router, zg::curve_server, rr_limits>;
using vouch_back = zg::socket<test_domain, zg::ipc, zg::dealer, zg::null_mechanism, rr_limits>;
using guarded_worker = zg::socket<test_domain, zg::ipc, zg::rep, zg::null_mechanism, rr_limits, order_service,
                                  zg::vouched<zg::blake2b_mac>, zg::authorized>;
using vouching_queue = zg::proxy<vouch_front, vouch_back, zg::vouch_clients<zg::blake2b_mac>>;
}  // namespace

TEST_CASE("authorized worker behind a vouching broker: the client the broker vouched for is the one checked") {
  captured_events seen;
  temp_dir dir;
  zg::context<test_domain> ctx(seen.sink());
  zg::authenticator<test_domain> auth(ctx);
  auto server_keys = zg::keypair::generate(), alice = zg::keypair::generate(), bob = zg::keypair::generate();
  auth.allow(alice.public_part());
  auth.allow(bob.public_part());
  auto const shared = zg::signing_key<zg::blake2b_mac>::generate();
  zg::verify_keys<zg::blake2b_mac> worker_keys;
  worker_keys.add(shared);
  zg::permission_set rules;
  rules.allow(identity_kind::key, alice.public_part().z85(), action::call, "test.*");
  zg::permissions perms(std::move(rules));

  std::string const worker_ep = "ipc://" + (dir.path / "worker.sock").string();
  std::atomic<int> served = 0;
  auto worker = counting_worker<guarded_worker>(ctx, worker_ep, served, worker_keys, perms);
  vouch_front front(ctx, auth, server_keys);
  vouch_back back(ctx);
  auto const front_ep = front.bind("tcp://127.0.0.1:*");
  back.connect(worker_ep);
  vouching_queue queue(ctx, front, back, shared);

  order_req as_alice(ctx, alice, server_keys.public_part()), as_bob(ctx, bob, server_keys.public_part());
  as_alice.connect(front_ep);
  as_bob.connect(front_ep);
  auto a = as_alice.call(numbered_order(1));
  CHECK_MESSAGE(a.ok(), a.reason());
  auto b = as_bob.call(numbered_order(2));
  CHECK(b.status() == zg::call_status::refused_by_service);
  CHECK(b.reason() == "not permitted: call test.order");
  CHECK(served == 1);
  auto denied = seen.named("authz.denied");
  REQUIRE(denied.size() == 1);
  CHECK(denied[0].field("identity") == bob.public_part().z85());  // the vouched client, not the broker
  queue.terminate();
  worker.request_stop();
}

TEST_CASE("permissions for byte-prefix subscriptions: applied only when every subject they can match is permitted") {
  zg::permission_set s;
  auto const bob = bob_key;
  s.allow(identity_kind::key, bob, action::subscribe, "market.>");
  s.deny(identity_kind::key, bob, action::subscribe, "market.secret.*");
  s.allow(identity_kind::key, bob, action::subscribe, "news.eu");  // an exact subject
  auto may = [&](std::string_view prefix) { return s.permits_prefix(identity_kind::key, bob, action::subscribe, prefix); };
  CHECK(may("market.eur"));          // every subject starting so is market.<eur...>[...]
  CHECK(may("market.eurusd.tick"));
  CHECK_FALSE(may("market."));       // would reach market.secret.plans
  CHECK_FALSE(may("market.sec"));    // ... and so would this
  CHECK(may("market.x"));
  CHECK_FALSE(may("market"));        // would reach marketing.*
  CHECK_FALSE(may(""));              // everything
  CHECK_FALSE(may("news.eu"));       // bytes: would reach news.eu.private and news.europe
  CHECK(s.permits(identity_kind::key, bob, action::subscribe, "news.eu"));  // the subject itself is permitted
  // "*" is one token: subjects of four tokens or more are not denied, and a
  // prefix that only reaches those is applied.
  CHECK(may("market.secret.plans.x"));
  CHECK_FALSE(may("market.secret.plans"));  // reaches market.secret.plans itself
  // Someone with no rules of their own has the defaults: none here.
  CHECK_FALSE(s.permits_prefix(identity_kind::key, alice_key, action::subscribe, "market.eur"));
  // A prefix whose complete tokens are empty or wildcards can only begin
  // invalid subjects: refused (before, "market.secret.." passed the deny
  // rule and was covered by "market.>"). NATS TestIsSubsetMatch: a bad
  // subject is a subset of nothing.
  for (std::string_view const prefix : {"market.secret..", "market..", "market..secret.", ".market.", ".", "..",
                                        "market.*.", "market.>.", "market.secret.*.x"}) {
    INFO(prefix);
    CHECK_FALSE(may(prefix));
  }
  // The token being written may still become anything valid.
  CHECK(may("market.*x"));
  CHECK(may("market.>x."));
}

namespace {
// The topics a raw SUB got (frame 1), in order.
void collect(zmq::socket_t& s, std::vector<std::string>& out) {
  std::vector<zmq::message_t> f;
  while (zmq::recv_multipart(s, std::back_inserter(f))) {
    if (f.size() == 2) out.push_back(f[0].to_string() + "=" + f[1].to_string());
    f.clear();
  }
}

// A forwarder with both sides authorized on CURVE over tcp, enforcing
// `rules`, and the keys it lets authenticate.
struct authorized_relay {
  captured_events seen;
  zg::context<test_domain> ctx;
  zg::authenticator<test_domain> auth;
  zg::keypair front_keys = zg::keypair::generate(), back_keys = zg::keypair::generate();
  zg::permissions perms;
  relay_front front;
  relay_back back;
  std::string front_ep, back_ep;
  zg::proxy<relay_front, relay_back> forwarder;
  authorized_relay(std::string const& rules, std::initializer_list<zg::keypair const*> peers)
      : ctx(seen.sink()),
        auth(ctx),
        perms(zg::permission_set::parse(rules, "test")),
        front(ctx, auth, front_keys, perms),
        back(ctx, auth, back_keys, perms),
        front_ep(front.bind("tcp://127.0.0.1:*").address),
        back_ep(back.bind("tcp://127.0.0.1:*").address),
        forwarder(ctx, front, back) {
    for (auto const* k : peers) auth.allow(k->public_part());
  }
};
}  // namespace

TEST_CASE("authorized forwarder: a publication passes only when its publisher may publish the topic, the back "
          "lets in only subscribers allowed every topic") {
  auto alice = zg::keypair::generate(), mallory = zg::keypair::generate(), bob = zg::keypair::generate(),
       carol = zg::keypair::generate(), dave = zg::keypair::generate();
  // Bob may read most topics, not all: a forwarder cannot safely filter his
  // subscriptions one by one with libzmq 4.3.4, so it does not let him in.
  auto perms_text = "key " + alice.public_part().z85() + " publish allow market.>\n" +
                    "key " + dave.public_part().z85() + " subscribe allow >\n" +
                    "key " + bob.public_part().z85() + " subscribe allow market.>\n" +
                    "key " + bob.public_part().z85() + " subscribe deny market.secret.>\n";
  authorized_relay relay(perms_text, {&alice, &mallory, &bob, &carol, &dave});  // all authenticate
  auto const& [front_keys, back_keys, front_ep, back_ep] =
      std::tie(relay.front_keys, relay.back_keys, relay.front_ep, relay.back_ep);
  CHECK(zg::proxy<relay_front, relay_back>::profile().find("authorized=publish") != std::string::npos);
  CHECK(zg::proxy<relay_front, relay_back>::profile().find("authorized=subscribe") != std::string::npos);

  zmq::context_t raw;
  auto alice_pub = raw_curve(raw, zmq::socket_type::pub, alice, front_keys);
  auto mallory_pub = raw_curve(raw, zmq::socket_type::pub, mallory, front_keys);
  alice_pub.connect(front_ep);
  mallory_pub.connect(front_ep);
  auto dave_eur = raw_curve(raw, zmq::socket_type::sub, dave, back_keys);
  auto dave_all = raw_curve(raw, zmq::socket_type::sub, dave, back_keys);
  auto bob_eur = raw_curve(raw, zmq::socket_type::sub, bob, back_keys);
  auto carol_sub = raw_curve(raw, zmq::socket_type::sub, carol, back_keys);
  dave_eur.set(zmq::sockopt::subscribe, "market.eur");
  dave_all.set(zmq::sockopt::subscribe, "");
  bob_eur.set(zmq::sockopt::subscribe, "market.eur");
  carol_sub.set(zmq::sockopt::subscribe, "market.eur");
  for (auto* s : {&dave_eur, &dave_all, &bob_eur, &carol_sub}) s->connect(back_ep);

  std::vector<std::string> eur_got, all_got, bob_got, carol_got;
  auto publish = [](zmq::socket_t& s, std::string const& topic, std::string const& body) {
    (void)s.send(zmq::buffer(topic), zmq::send_flags::sndmore);
    (void)s.send(zmq::buffer(body), zmq::send_flags::none);
  };
  auto const deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while ((eur_got.size() < 20 || all_got.size() < 20) && std::chrono::steady_clock::now() < deadline) {
    publish(alice_pub, "market.eurusd", "alice");
    publish(alice_pub, "market.secret.plans", "secret");
    publish(mallory_pub, "market.eurusd", "forged");
    collect(dave_eur, eur_got);
    collect(dave_all, all_got);
    collect(bob_eur, bob_got);
    collect(carol_sub, carol_got);
  }
  REQUIRE(eur_got.size() >= 20);
  REQUIRE(all_got.size() >= 20);
  for (auto const& m : eur_got) CHECK(m == "market.eurusd=alice");  // his prefix, nothing forged
  for (auto const& m : all_got) CHECK((m == "market.eurusd=alice" || m == "market.secret.plans=secret"));
  CHECK(bob_got.empty());
  CHECK(carol_got.empty());
  auto denied = relay.seen.named("authz.denied");
  auto count = [&](std::string_view act, std::string const& who) {
    return std::count_if(denied.begin(), denied.end(),
                         [&](auto const& e) { return e.field("action") == act && e.field("identity") == who; });
  };
  CHECK(count("publish", mallory.public_part().z85()) >= 1);
  CHECK(count("publish", alice.public_part().z85()) == 0);
  CHECK(count("subscribe", bob.public_part().z85()) >= 1);
  CHECK(count("subscribe", carol.public_part().z85()) >= 1);
  CHECK(count("subscribe", dave.public_part().z85()) == 0);
  for (auto const& e : denied)
    if (e.field("action") == "subscribe") CHECK(e.field("subject") == "every topic");
}

// The attack on the deny rule, through a forwarder: a publisher allowed
// market.> and denied market.secret.* sends topics with empty tokens to a
// subscriber of the prefix "market.secret.". None may pass; valid topics
// (market.secret.plans.q3 is four tokens, not denied) still flow.
TEST_CASE("authorized forwarder: a publication whose topic has an empty token is dropped and logged, valid topics "
          "still flow") {
  auto alice = zg::keypair::generate(), dave = zg::keypair::generate();
  authorized_relay relay("key " + alice.public_part().z85() + " publish allow market.>\n" + "key " +
                             alice.public_part().z85() + " publish deny market.secret.*\n" + "key " +
                             dave.public_part().z85() + " subscribe allow >\n",
                         {&alice, &dave});
  auto const& [front_keys, back_keys, front_ep, back_ep] =
      std::tie(relay.front_keys, relay.back_keys, relay.front_ep, relay.back_ep);

  zmq::context_t raw;
  auto alice_pub = raw_curve(raw, zmq::socket_type::pub, alice, front_keys);
  alice_pub.connect(front_ep);
  auto dave_secret = raw_curve(raw, zmq::socket_type::sub, dave, back_keys);
  auto dave_eur = raw_curve(raw, zmq::socket_type::sub, dave, back_keys);
  dave_secret.set(zmq::sockopt::subscribe, "market.secret.");
  dave_eur.set(zmq::sockopt::subscribe, "market.eur");
  dave_secret.connect(back_ep);
  dave_eur.connect(back_ep);
  auto publish = [&](std::string const& topic, std::string const& body) {
    (void)alice_pub.send(zmq::buffer(topic), zmq::send_flags::sndmore);
    (void)alice_pub.send(zmq::buffer(body), zmq::send_flags::none);
  };
  std::vector<std::string> secret_got, eur_got;
  auto const valid_round = [&] {
    publish("market.secret.plans.q3", "valid");
    publish("market.eurusd", "valid");
    collect(dave_secret, secret_got);
    collect(dave_eur, eur_got);
  };
  // Both subscriptions have reached the publisher's side of the forwarder.
  auto const warm = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while ((secret_got.empty() || eur_got.empty()) && std::chrono::steady_clock::now() < warm) valid_round();
  REQUIRE_FALSE(secret_got.empty());
  REQUIRE_FALSE(eur_got.empty());
  secret_got.clear();
  eur_got.clear();
  // 30 of each attack, between valid ones; then valid ones until 30 of
  // them arrived after the attacks (one publisher, one path: in order).
  for (int i = 0; i < 30; ++i) {
    publish("market.secret.", "attack");
    publish("market.secret..plans", "attack");
    valid_round();
  }
  auto const deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while ((secret_got.size() < 60 || eur_got.size() < 60) && std::chrono::steady_clock::now() < deadline) valid_round();
  CHECK(secret_got.size() >= 60);
  CHECK(eur_got.size() >= 60);
  auto const attacks = std::count_if(secret_got.begin(), secret_got.end(), [](auto const& m) { return m.ends_with("=attack"); });
  CHECK(attacks == 0);
  for (auto const& m : secret_got) CHECK(m == "market.secret.plans.q3=valid");
  for (auto const& m : eur_got) CHECK(m == "market.eurusd=valid");
  // Each refusal is an authz.denied event of the publisher, saying why.
  auto const denied = relay.seen.named("authz.denied");
  auto const refused = [&](std::string const& subject) {
    return std::count_if(denied.begin(), denied.end(), [&](auto const& e) {
      return e.field("action") == "publish" && e.field("subject") == subject &&
             e.field("identity") == alice.public_part().z85() && e.field("reason") == "invalid subject";
    });
  };
  CHECK(refused("market.secret.") == 30);
  CHECK(refused("market.secret..plans") == 30);
  CHECK(denied.size() == 60);
}

TEST_CASE("authorized service over CURVE with keys named by certificate files: the rotated key is served, "
          "the old one refused") {
  temp_dir dir;
  zg::context<test_domain> ctx;
  zg::authenticator<test_domain> auth(ctx);
  auto server_keys = zg::keypair::generate(), bob_v1 = zg::keypair::generate(), bob_v2 = zg::keypair::generate();
  auth.allow(bob_v1.public_part());
  auth.allow(bob_v2.public_part());  // both authenticate; the permission file decides which may call
  zg::save_certificate(dir.path / "bob.cert", bob_v1);
  auto const path = dir.path / "perms";
  write_file(path, "cert bob.cert call allow test.order\n");
  auto perms = zg::permissions::from_file(path);

  std::atomic<int> served = 0;
  order_server server(ctx, auth, server_keys, perms, served);
  auto const& endpoint = server.endpoint;
  order_req old_key(ctx, bob_v1, server_keys.public_part()), new_key(ctx, bob_v2, server_keys.public_part());
  old_key.connect(endpoint);
  new_key.connect(endpoint);
  auto a = old_key.call(numbered_order(1));
  REQUIRE_MESSAGE(a.ok(), a.reason());
  auto b = new_key.call(numbered_order(2));
  CHECK(b.status() == zg::call_status::refused_by_service);
  // The certificate is rotated and the file reloaded while the service runs.
  std::filesystem::remove(dir.path / "bob.cert");
  std::filesystem::remove(dir.path / "bob.cert_secret");
  zg::save_certificate(dir.path / "bob.cert", bob_v2);
  perms.reload();
  auto c = new_key.call(numbered_order(3));
  CHECK_MESSAGE(c.ok(), c.reason());
  auto d = old_key.call(numbered_order(4));
  CHECK(d.status() == zg::call_status::refused_by_service);
  CHECK(d.reason() == "not permitted: call test.order");
  CHECK(served == 2);
  server.request_stop();
}
