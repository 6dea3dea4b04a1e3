// Trust in the files that decide policy, against a local user and against
// a file caught half written: a symlink another user owns on the way to a
// permission file, the directory of a certificate a permission file names,
// and reload() racing a rewrite in place (a reload applies a complete file
// or keeps the policy it had; files replaced by rename always apply).
#include "support.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <thread>

using namespace zguard_test;

namespace zg = zguard;

namespace {
namespace fs = std::filesystem;
using zg::action;
using zg::identity_kind;

std::string const alice = zg::keypair::generate().public_part().z85();
std::string const bob = zg::keypair::generate().public_part().z85();
constexpr uid_t nobody = 65534;

// Rewrites `path` in place, as `cp` or `echo >` do: truncate, then write.
void rewrite_in_place(fs::path const& path, std::string const& text) {
  int const fd = ::open(path.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);
  REQUIRE(fd >= 0);
  REQUIRE(::write(fd, text.data(), text.size()) == ssize_t(text.size()));
  ::close(fd);
}

// Replaces `path` by rename: a complete file appears at once.
void replace_by_rename(fs::path const& path, std::string const& text) {
  auto const tmp = path.parent_path() / ("." + path.filename().string() + ".new");
  int const fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  REQUIRE(fd >= 0);
  REQUIRE(::write(fd, text.data(), text.size()) == ssize_t(text.size()));
  ::close(fd);
  REQUIRE(::rename(tmp.c_str(), path.c_str()) == 0);
}

std::string bob_may(zg::permissions const& p) {
  return p.permits(identity_kind::key, bob, action::call, "test.order") ? "bob may call" : "bob may not";
}
}  // namespace

// The walk checked the directory holding each link, not who owns the link.
// In a sticky directory (as /tmp) the owner of a link may remove it and put
// another there: another user's link, pointed at an older rules directory
// of ours, was followed, and bob, revoked, could call again.
TEST_CASE("policy files: a symlink on the way that another user owns is refused, reload keeps the set") {
  if (::geteuid() != 0) {
    MESSAGE("not root: another user's symlink needs lchown and is checked in CI, which runs as root");
    return;
  }
  temp_dir dir;
  fs::create_directories(dir.path / "current");
  fs::create_directories(dir.path / "old");
  write_file(dir.path / "current" / "perms", "key " + alice + " call allow test.order\n");
  write_file(dir.path / "old" / "perms", "key " + bob + " call allow test.order\n");  // bob's access was revoked
  auto const drop = dir.path / "drop";  // shared, sticky: others may add entries, not move ours
  fs::create_directory(drop);
  ::chmod(drop.c_str(), 01777);
  auto const link = drop / "rules";
  fs::create_directory_symlink(dir.path / "current", link);
  auto perms = zg::permissions::from_file(link / "perms");  // our own link: followed
  CHECK(bob_may(perms) == "bob may not");
  // Another user's link to our current rules is refused already: its owner may re-point it.
  REQUIRE(::lchown(link.c_str(), nobody, nobody) == 0);
  CHECK_THROWS_WITH_AS(zg::permissions::from_file(link / "perms"),
                       contains(link.string() + ", a symlink owned by uid 65534, neither this user nor root"),
                       zg::permission_error);
  // The attack: the other user replaces their link with one to the old rules.
  fs::remove(link);
  fs::create_directory_symlink(dir.path / "old", link);
  REQUIRE(::lchown(link.c_str(), nobody, nobody) == 0);
  std::string outcome = "reloaded";
  try {
    perms.reload();
  } catch (zg::permission_error const& e) {
    outcome = e.what();
  }
  INFO("reload: ", outcome);
  CHECK(outcome.find(link.string() + ", a symlink owned by uid 65534") != std::string::npos);
  CHECK(bob_may(perms) == "bob may not");
  // The same walk guards allowlist directories.
  fs::create_directory(dir.path / "keys");
  fs::remove(link);
  fs::create_directory_symlink(dir.path / "keys", link);
  REQUIRE(zg::load_public_directory(link).empty());
  REQUIRE(::lchown(link.c_str(), nobody, nobody) == 0);
  CHECK_THROWS_WITH_AS(zg::load_public_directory(link), doctest::Contains("a symlink owned by uid 65534"),
                       zg::key_error);
}

// A cert line's certificate had the checks of an allowlisted certificate on
// the file only: in a directory anyone may write, anyone could put their own
// certificate in its place and be given its rights.
TEST_CASE("policy files: the certificate a permission file names is checked with every directory above it") {
  temp_dir dir;
  fs::create_directory(dir.path / "clients");
  zg::save_certificate(dir.path / "clients" / "bob.cert", zg::keypair::generate());
  fs::remove(dir.path / "clients" / "bob.cert_secret");
  write_file(dir.path / "perms", "cert clients/bob.cert call allow test.order\n");
  REQUIRE(zg::permissions::from_file(dir.path / "perms").audit().find("(cert clients/bob.cert)") != std::string::npos);
  auto const refusal = [&] {
    try {
      (void)zg::permissions::from_file(dir.path / "perms");
      return std::string("accepted");
    } catch (zg::permission_error const& e) {
      return std::string(e.what());
    }
  };
  ::chmod((dir.path / "clients").c_str(), 0777);
  CHECK(refusal().find("perms:1: zguard: certificate directory " + (dir.path / "clients").string() +
                       " is writable by group or others (mode 0777)") != std::string::npos);
  ::chmod((dir.path / "clients").c_str(), 0755);
  CHECK(refusal() == "accepted");
  // A directory further up that others can write.
  fs::create_directories(dir.path / "open" / "certs");
  fs::rename(dir.path / "clients" / "bob.cert", dir.path / "open" / "certs" / "bob.cert");
  write_file(dir.path / "perms", "cert open/certs/bob.cert call allow test.order\n");
  CHECK(refusal() == "accepted");
  ::chmod((dir.path / "open").c_str(), 0777);
  CHECK(refusal().find("is below " + (dir.path / "open").string() +
                       ", which group or others can write (mode 0777, not sticky)") != std::string::npos);
  ::chmod((dir.path / "open").c_str(), 0755);
  if (::geteuid() == 0) {
    REQUIRE(::chown((dir.path / "open" / "certs").c_str(), nobody, nobody) == 0);
    CHECK(refusal().find("certificate directory " + (dir.path / "open" / "certs").string() +
                         " is owned by uid 65534") != std::string::npos);
    REQUIRE(::chown((dir.path / "open" / "certs").c_str(), 0, 0) == 0);
    REQUIRE(::chown((dir.path / "open").c_str(), nobody, nobody) == 0);
    CHECK(refusal().find("is below " + (dir.path / "open").string() + ", owned by uid 65534") != std::string::npos);
  } else {
    MESSAGE("not root: the other-owner cases need chown and are checked in CI, which runs as root");
  }
}

namespace {
// A permission file longer than a page whose last line revokes bob: any
// prefix of it lets bob call (the default allows everyone); an empty one
// lets nobody. `pad` lines of comment make versions of different lengths.
std::string revoking_rules(int pad) {
  std::string t = "default call allow test.order\n";
  for (int i = 0; i < pad; ++i) t += "# rule history, entry " + std::to_string(i) + ": reviewed and kept\n";
  return t + "key " + bob + " call deny test.order\n";
}

struct race_outcome {
  int sound = 0, partial = 0, refused = 0;  // after each reload: the set in force
  std::string first_partial, refusals;
};

template <class Write>
race_outcome race_reloads(fs::path const& file, Write write) {
  auto perms = zg::permissions::from_file(file);
  std::atomic<bool> done{false};
  std::thread writer([&] {
    for (int i = 0; i < 20000 && !done; ++i) write(i % 2 == 0 ? revoking_rules(150) : revoking_rules(170));
  });
  race_outcome r;
  auto const deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  for (int i = 0; i < 5000 && std::chrono::steady_clock::now() < deadline; ++i) {
    try {
      perms.reload();
    } catch (zg::permission_error const& e) {
      ++r.refused;
      std::string const what = e.what();
      if (r.refusals.find(what.substr(0, 60)) == std::string::npos) r.refusals += what + "\n";
    }
    bool const alice_may = perms.permits(identity_kind::key, alice, action::call, "test.order");
    if (bob_may(perms) == "bob may call" || !alice_may) {
      if (r.partial++ == 0) r.first_partial = perms.audit();
    } else {
      ++r.sound;
    }
  }
  done = true;
  writer.join();
  return r;
}
}  // namespace

// reload() read what was there: a file caught between the truncate and the
// end of the write was applied, revoking nothing or permitting nothing.
TEST_CASE("policy files: reload racing a rewrite in place applies no partial file, renames always apply") {
  temp_dir dir;
  auto const file = dir.path / "perms";
  write_file(file, revoking_rules(150));
  REQUIRE(revoking_rules(150).size() > 4096);
  SUBCASE("rewritten in place: a reload applies the whole file or keeps the set in force") {
    auto const r = race_reloads(file, [&](std::string const& t) { rewrite_in_place(file, t); });
    INFO("sound ", r.sound, ", partial ", r.partial, ", refused ", r.refused, "\nfirst partial set:\n",
         r.first_partial, "refusals:\n", r.refusals);
    CHECK(r.partial == 0);
    CHECK(r.sound > 0);
    // Every refusal says why, in the words the docs use.
    std::istringstream lines(r.refusals);
    for (std::string line; std::getline(lines, line);) {
      INFO(line);
      CHECK((line.find(" changed while it was read; ") != std::string::npos ||
             line.find(" does not end with a newline; ") != std::string::npos ||
             line.find(" is empty; ") != std::string::npos));
      CHECK(line.find("replace it by renaming a complete file into place") != std::string::npos);
    }
  }
  SUBCASE("replaced by rename: every reload applies a complete file") {
    auto const r = race_reloads(file, [&](std::string const& t) { replace_by_rename(file, t); });
    INFO("sound ", r.sound, ", partial ", r.partial, ", refused ", r.refused, "\n", r.refusals);
    CHECK(r.partial == 0);
    CHECK(r.refused == 0);
    CHECK(r.sound > 0);
  }
  SUBCASE("a file without a final newline, or empty, is refused: it may be cut short") {
    auto perms = zg::permissions::from_file(file);
    write_file(file, "default call allow test.order\nkey " + bob + " call deny test.order");
    CHECK_THROWS_WITH_AS(perms.reload(), contains(file.string() + " does not end with a newline"),
                         zg::permission_error);
    write_file(file, "");
    CHECK_THROWS_WITH_AS(perms.reload(), contains(file.string() + " is empty"), zg::permission_error);
    CHECK(bob_may(perms) == "bob may not");
    write_file(file, "# nobody may do anything\n");
    perms.reload();
    CHECK_FALSE(perms.permits(identity_kind::key, alice, action::call, "test.order"));
  }
}

// The allowlist: a certificate rewritten in place is refused by the reload
// (which keeps the keys it had) and the refusal is an event; certificates
// written by save_certificate (zguard keygen) appear by rename, so a
// reload running meanwhile always succeeds.
TEST_CASE("policy files: allowlist reload racing certificate writes keeps its keys and says why it failed") {
  temp_dir dir;
  auto const allow = dir.path / "allow";
  fs::create_directory(allow);
  auto const a = zg::keypair::generate(), b = zg::keypair::generate();
  zg::save_certificate(allow / "a.cert", a);
  zg::save_certificate(allow / "b.cert", b);
  captured_events seen;
  zg::context<test_domain> ctx(seen.sink());
  ctx.events().set_level(zg::severity::info);  // zap.reloaded too
  zg::authenticator<test_domain> auth(ctx);
  auth.allow_directory(allow);
  auto const race = [&](auto write) {
    std::atomic<bool> done{false};
    std::thread writer([&] {
      for (int i = 0; i < 3000 && !done; ++i) write(i);
    });
    int refused = 0, reloads = 0;
    auto const deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    for (; reloads < 1000 && std::chrono::steady_clock::now() < deadline; ++reloads) {
      try {
        auth.reload();
      } catch (zg::key_error const&) {
        ++refused;
      }
    }
    done = true;
    writer.join();
    return std::pair{reloads, refused};
  };
  SUBCASE("rewritten in place: each failed reload is a zap.reload_failed event, the keys stay") {
    std::string const text = [&] {
      std::ifstream in(allow / "b.cert");
      return std::string(std::istreambuf_iterator<char>(in), {});
    }();
    auto const [reloads, refused] = race([&](int) { rewrite_in_place(allow / "b.cert", text); });
    INFO("reloads ", reloads, ", refused ", refused);
    CHECK(int(seen.named("zap.reload_failed").size()) == refused);
    for (auto const& e : seen.named("zap.reload_failed")) CHECK(e.field("reason").find("b.cert") != std::string::npos);
    for (auto const& e : seen.named("zap.reloaded")) CHECK(e.field("keys") == "2");
  }
  SUBCASE("written by save_certificate: every reload succeeds with both keys") {
    auto const [reloads, refused] = race([&](int) { zg::save_certificate(allow / "b.cert", b); });
    INFO("reloads ", reloads, ", refused ", refused);
    CHECK(refused == 0);
    CHECK(int(seen.named("zap.reloaded").size()) == reloads);
    for (auto const& e : seen.named("zap.reloaded")) CHECK(e.field("keys") == "2");
  }
}
