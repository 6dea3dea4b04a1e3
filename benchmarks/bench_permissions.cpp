// Permission checks and loads at scale: a check against 1k, 10k and 100k
// rules of one identity (the rules kept as token trees), next to a
// rule-by-rule scan of the same rules in the same run; the parse of those
// rules; and from_file() and reload() of a file at the 4 MiB bound, its
// rules for one key or each for its own.
//
// usage: bench_permissions [rounds=5] [--json]
// Prints medians of `rounds` runs. With --json: one line per case; for
// checks raw = rule-by-rule checks/s, zguard = permissions::permits()
// checks/s (with its lock, as a socket calls it), ratio = zguard / raw; for
// loads zguard = seconds and raw null.
#include <zguard/permissions.hpp>

#include "bench_support.hpp"

#include <stdlib.h>
#include <sys/stat.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

namespace zg = zguard;

namespace {

using bench_support::median;
using bench_support::seconds_since;
using bench_support::steady;
bool json = false;

std::string const key = zg::keypair::generate().public_part().z85();

// Rule i of a set: literal, "*" and ">" allows, and a deny of every fourth.
std::string pattern(std::size_t i) {
  auto const n = std::to_string(i);
  switch (i % 4) {
    case 0: return "market." + n + ".tick";
    case 1: return "feed." + n + ".*";
    case 2: return "region." + n + ".>";
    default: return "market." + std::to_string(i - 3) + ".secret.*";
  }
}
bool allows(std::size_t i) { return i % 4 != 3; }

std::string rules_text(std::size_t n) {
  std::string text;
  for (std::size_t i = 0; i < n; ++i)
    text += "key " + key + " publish " + (allows(i) ? "allow " : "deny ") + pattern(i) + "\n";
  return text;
}

// The rule-by-rule scan the trees replace: every rule's tokens against the
// subject's, deny rules first.
bool one_matches(std::string_view p, std::string_view s) {
  for (;;) {
    auto const pd = p.find('.'), sd = s.find('.');
    auto const pt = p.substr(0, pd), st = s.substr(0, sd);
    if (pt == ">") return !s.empty();
    if (s.empty() || (pt != "*" && pt != st)) return false;
    if (pd == std::string_view::npos || sd == std::string_view::npos) return pd == sd;
    p.remove_prefix(pd + 1);
    s.remove_prefix(sd + 1);
  }
}
struct scan {
  std::vector<std::string> allow, deny;
  bool permits(std::string_view s) const {
    for (auto const& p : deny)
      if (one_matches(p, s)) return false;
    for (auto const& p : allow)
      if (one_matches(p, s)) return true;
    return false;
  }
};

// The subjects asked about, in turn: allowed by a literal, by ">", denied,
// and one no rule reaches.
std::vector<std::string> subjects(std::size_t n) {
  auto const k = (n / 2) / 4 * 4;  // a rule in the middle
  return {"market." + std::to_string(k) + ".tick", "region." + std::to_string(k + 2) + ".eu.fx",
          "market." + std::to_string(k) + ".secret.plans", "weather.today"};
}

template <class Check>
double checks_per_second(std::size_t count, std::vector<std::string> const& asked, Check&& check) {
  std::size_t yes = 0;
  auto const t0 = steady::now();
  for (std::size_t i = 0; i < count; ++i) yes += check(asked[i % asked.size()]);
  double const s = seconds_since(t0);
  if (yes != count / asked.size() * 2 + std::min<std::size_t>(count % asked.size(), 2)) {
    std::fprintf(stderr, "bench_permissions: %zu permitted of %zu, not as the rules say\n", yes, count);
    std::exit(1);
  }
  return double(count) / s;
}

void check_case(std::size_t n, int rounds) {
  auto const text = rules_text(n);
  zg::permissions perms(zg::permission_set::parse(text, "bench"));
  scan reference;
  for (std::size_t i = 0; i < n; ++i) (allows(i) ? reference.allow : reference.deny).push_back(pattern(i));
  auto const asked = subjects(n);
  std::vector<double> tree, linear;
  for (int r = 0; r < rounds; ++r) {
    tree.push_back(checks_per_second(400000, asked, [&](std::string const& s) {
      return perms.permits(zg::identity_kind::key, key, zg::action::publish, s);
    }));
    linear.push_back(checks_per_second(std::max<std::size_t>(40, 4000000 / n), asked,
                                       [&](std::string const& s) { return reference.permits(s); }));
  }
  double const t = median(tree), l = median(linear);
  if (json) {
    bench_support::json_row()
        .compare("permissions/check/" + std::to_string(n), 0, l, t)
        .str("unit", "checks/s")
        .integer("rules", static_cast<long long>(n))
        .num("ns_per_check", 1e9 / t)
        .num("raw_ns_per_check", 1e9 / l)
        .integer("runs", rounds)
        .print();
  } else {
    std::printf("%-10s %8zu %14.0f %14.0f %12.0f %14.0f\n", "check", n, 1e9 / t, 1e9 / l, t, l);
  }
}

void load_row(std::string const& name, std::size_t n, std::size_t bytes, double seconds, int rounds) {
  if (json) {
    bench_support::json_row()
        .str("name", name)
        .integer("bytes", static_cast<long long>(bytes))
        .num("raw", NAN)
        .num("zguard", seconds)
        .num("ratio", NAN)
        .str("unit", "s")
        .integer("rules", static_cast<long long>(n))
        .integer("runs", rounds)
        .print();
  } else {
    std::printf("%-10s %8zu %14.3f ms  (%s, %zu bytes)\n", "load", n, seconds * 1e3, name.c_str(), bytes);
  }
}

void parse_case(std::size_t n, int rounds) {
  auto const text = rules_text(n);
  std::vector<double> t;
  for (int r = 0; r < rounds; ++r) {
    auto const t0 = steady::now();
    auto const set = zg::permission_set::parse(text, "bench");
    t.push_back(seconds_since(t0));
    if (!set.permits(zg::identity_kind::key, key, zg::action::publish, "market.0.tick")) std::exit(1);
  }
  load_row("permissions/parse/" + std::to_string(n), n, text.size(), median(t), rounds);
}

// A file at the 4 MiB bound, as many rules as fit: from_file(), reload().
// All for one key, or each for a key of its own (each key is checked once,
// a curve multiplication: see keys.hpp).
void file_case(bool distinct_keys, int rounds) {
  std::string dir = (std::filesystem::temp_directory_path() / "zguard-bench-XXXXXX").string();
  if (!::mkdtemp(dir.data())) std::exit(1);
  auto const path = std::filesystem::path(dir) / "permissions";
  std::string text;
  std::size_t n = 0;
  for (;; ++n) {
    auto const who = distinct_keys ? zg::keypair::generate().public_part().z85() : key;
    auto const line = "key " + who + " publish " + (allows(n) ? "allow " : "deny ") + pattern(n) + "\n";
    if (text.size() + line.size() > (4u << 20)) break;
    text += line;
  }
  std::ofstream(path) << text;
  ::chmod(path.c_str(), 0644);
  std::vector<double> load, reload;
  for (int r = 0; r < rounds; ++r) {
    auto t0 = steady::now();
    auto perms = zg::permissions::from_file(path);
    load.push_back(seconds_since(t0));
    t0 = steady::now();
    perms.reload();
    reload.push_back(seconds_since(t0));
  }
  std::filesystem::remove_all(dir);
  std::string const which = distinct_keys ? "4MiB_key_per_rule" : "4MiB_one_key";
  load_row("permissions/from_file/" + which, n, text.size(), median(load), rounds);
  load_row("permissions/reload/" + which, n, text.size(), median(reload), rounds);
}

}  // namespace

int main(int argc, char** argv) {
  json = bench_support::take_json_flag(argc, argv);
  int const rounds = argc > 1 ? std::max(1, std::atoi(argv[1])) : 5;
  if (!json) {
    std::printf("permission checks (one identity, its rules as token trees) next to a rule-by-rule scan; "
                "median of %d runs\n",
                rounds);
    std::printf("%-10s %8s %14s %14s %12s %14s\n", "case", "rules", "ns/check", "scan ns/check", "checks/s",
                "scan checks/s");
  }
  for (std::size_t n : {1000u, 10000u, 100000u}) check_case(n, rounds);
  for (std::size_t n : {1000u, 10000u, 100000u}) parse_case(n, rounds);
  file_case(false, rounds);
  file_case(true, rounds);
}
