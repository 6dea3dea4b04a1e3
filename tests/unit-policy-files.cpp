// Trust in the files that decide policy, against a local user: a symlink
// another user owns on the way to a permission file or an allowlist, and
// the directory of a certificate a permission file names.
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

void put(fs::path const& p, std::string const& text, mode_t mode = 0644) {
  std::ofstream(p) << text;
  ::chmod(p.c_str(), mode);
}

doctest::Contains contains(std::string const& text) { return doctest::Contains(text.c_str()); }

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
  put(dir.path / "current" / "perms", "key " + alice + " call allow test.order\n");
  put(dir.path / "old" / "perms", "key " + bob + " call allow test.order\n");  // bob's access was revoked
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
  put(dir.path / "perms", "cert clients/bob.cert call allow test.order\n");
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
  put(dir.path / "perms", "cert open/certs/bob.cert call allow test.order\n");
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
