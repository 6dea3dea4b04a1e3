// CZMQ-compatible certificate files (G4): round trips, permissions, malformed
// files, and CZMQ itself on the other side.
#include "support.hpp"

#include <sys/stat.h>


using namespace zguard_test;
namespace zg = zguard;

TEST_CASE("save and load: public file 0644, secret file 0600, metadata kept") {
  temp_dir dir;
  auto keys = zg::keypair::generate();
  auto const cert = dir.path / "server.cert";
  zg::save_certificate(cert, keys, {{"name", "billing server"}, {"role", "service"}});
  CHECK(mode_of(cert) == 0644);
  CHECK(mode_of(dir.path / "server.cert_secret") == 0600);
  CHECK(read_file(cert).find("secret-key") == std::string::npos);
  auto pub = zg::load_public_certificate(cert);
  CHECK(pub.key == keys.public_part());
  CHECK(pub.metadata.at("name") == "billing server");
  auto loaded = zg::load_keypair_certificate(cert);
  CHECK(loaded.public_part() == keys.public_part());
  CHECK(zg::load_keypair_certificate(dir.path / "server.cert_secret").public_part() == keys.public_part());

  // Overwriting a secret that had become world-readable narrows it again.
  ::chmod((dir.path / "server.cert_secret").c_str(), 0644);
  zg::save_certificate(cert, keys);
  CHECK(mode_of(dir.path / "server.cert_secret") == 0600);
  CHECK_THROWS_AS(zg::save_certificate(dir.path / "x.cert", keys, {{"bad name", "v"}}), zg::key_error);
  CHECK_THROWS_AS(zg::save_certificate(dir.path / "x.cert", keys, {{"name", "quote\""}}), zg::key_error);
}

TEST_CASE("secret certificates readable by others, or symlinked, are refused") {
  temp_dir dir;
  auto keys = zg::keypair::generate();
  auto const cert = dir.path / "c.cert";
  zg::save_certificate(cert, keys);
  auto const secret = dir.path / "c.cert_secret";
  for (mode_t mode : {0640, 0604, 0644, 0660}) {
    CAPTURE(mode);
    ::chmod(secret.c_str(), mode);
    CHECK_THROWS_WITH_AS(zg::load_keypair_certificate(cert), doctest::Contains("group/world accessible"),
                         zg::key_error);
  }
  ::chmod(secret.c_str(), 0400);
  CHECK_NOTHROW(zg::load_keypair_certificate(cert));
  std::filesystem::create_symlink(secret, dir.path / "link.cert_secret");
  CHECK_THROWS_WITH_AS(zg::load_keypair_certificate(dir.path / "link.cert"), doctest::Contains("symlink"),
                       zg::key_error);
}

TEST_CASE("a FIFO where a certificate was expected is refused at once, not waited on") {
  temp_dir dir;
  auto const fifo = dir.path / "swapped.cert";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  // Opened without a writer, a FIFO would block the reader (an allowlist
  // reload, a service starting) for good.
  CHECK_THROWS_WITH_AS(zg::load_public_certificate(fifo), doctest::Contains("is not a regular file"), zg::key_error);
  auto const secret_fifo = dir.path / "k.cert_secret";
  REQUIRE(::mkfifo(secret_fifo.c_str(), 0600) == 0);
  CHECK_THROWS_WITH_AS(zg::load_keypair_certificate(dir.path / "k.cert"), doctest::Contains("is not a regular file"),
                       zg::key_error);
}

TEST_CASE("malformed certificate files are refused with the file and line") {
  temp_dir dir;
  auto const good_pub = zg::keypair::generate().public_part().z85();
  struct bad_case {
    char const* name;
    std::string text;
    char const* expect;
  };
  std::vector<bad_case> cases = {
      {"no-curve", "metadata\n    name = \"x\"\n", "no curve/public-key"},
      {"bad-z85", "curve\n    public-key = \"" + good_pub.substr(0, 39) + "\"\n", "40 characters"},
      {"truncated-quote", "curve\n    public-key = \"" + good_pub + "\n", ":2: unterminated quoted value"},
      {"bad-indent", "curve\n  public-key = \"" + good_pub + "\"\n", ":2: indentation"},
      {"tabs", "curve\n\tpublic-key = \"x\"\n", ":2: tabs"},
      {"too-deep", "curve\n        public-key = \"x\"\n", ":2: indented deeper"},
      {"duplicate", "curve\n    public-key = \"" + good_pub + "\"\n    public-key = \"" + good_pub + "\"\n",
       ":3: 'curve/public-key' appears twice"},
      {"junk", "curve\n    public-key \"x\"\n", ":2: expected '='"},
      {"huge", std::string(70000, '#'), "larger than"},
  };
  for (auto const& c : cases) {
    CAPTURE(c.name);
    write_file(dir.path / c.name, c.text, 0644);
    CHECK_THROWS_WITH_AS(zg::load_public_certificate(dir.path / c.name), doctest::Contains(c.expect),
                         zg::key_error);
  }
  CHECK_THROWS_AS(zg::load_public_certificate(dir.path / "missing"), zg::key_error);
  // A secret file without the secret key.
  write_file(dir.path / "nosecret_secret", "curve\n    public-key = \"" + good_pub + "\"\n", 0600);
  CHECK_THROWS_WITH_AS(zg::load_keypair_certificate(dir.path / "nosecret"), doctest::Contains("no curve/secret-key"),
                       zg::key_error);
}

TEST_CASE("allowlist directories: public certificates only, malformed files named") {
  temp_dir dir;
  auto a = zg::keypair::generate(), b = zg::keypair::generate();
  zg::save_certificate(dir.path / "a.cert", a);
  zg::save_certificate(dir.path / "b.cert", b);
  write_file(dir.path / ".hidden", "garbage", 0644);
  auto keys = zg::load_public_directory(dir.path);
  REQUIRE(keys.size() == 2);
  CHECK(keys[0] == a.public_part());
  CHECK(keys[1] == b.public_part());
  write_file(dir.path / "broken.cert", "curve\n    public-key = \"nope\"\n", 0644);
  CHECK_THROWS_WITH_AS(zg::load_public_directory(dir.path), doctest::Contains("40 characters"), zg::key_error);
  CHECK_THROWS_AS(zg::load_public_directory(dir.path / "absent"), zg::key_error);
}

// Whoever can write the allowlist, or a certificate in it, or change what a
// link in it points to, can let any key in: each way is refused, loudly
// (the service does not start), never skipped.
TEST_CASE("allowlist directories: one others can write, a certificate others can write, a symlink, another "
          "owner are refused (and a secret certificate of another owner)") {
  temp_dir dir;
  auto const allow = dir.path / "allow";
  std::filesystem::create_directory(allow);
  ::chmod(allow.c_str(), 0755);
  auto a = zg::keypair::generate(), intruder = zg::keypair::generate();
  zg::save_certificate(allow / "a.cert", a);
  ::chmod((allow / "a.cert").c_str(), 0644);
  std::filesystem::create_directory(allow / "old");  // a subdirectory is not read
  REQUIRE(zg::load_public_directory(allow).size() == 1);
  auto const refused_with = [&](std::string const& text) {
    try {
      (void)zg::load_public_directory(allow);
    } catch (zg::key_error const& e) {
      return std::string(e.what()).find(text) != std::string::npos;
    }
    return false;
  };
  for (mode_t mode : {mode_t(0775), mode_t(0757), mode_t(01777)}) {  // sticky or not: others could add a file
    ::chmod(allow.c_str(), mode);
    CHECK(refused_with("is writable by group or others"));
  }
  ::chmod(allow.c_str(), 0755);
  for (mode_t mode : {mode_t(0664), mode_t(0646)}) {
    ::chmod((allow / "a.cert").c_str(), mode);
    CHECK(refused_with("a.cert is writable by group or others"));
  }
  ::chmod((allow / "a.cert").c_str(), 0644);
  // A link to a certificate elsewhere: whoever controls the target decides.
  zg::save_certificate(dir.path / "elsewhere.cert", intruder);
  std::filesystem::create_symlink(dir.path / "elsewhere.cert", allow / "b.cert");
  CHECK(refused_with("b.cert is a symlink"));
  std::filesystem::remove(allow / "b.cert");
  REQUIRE(zg::load_public_directory(allow).size() == 1);
  // The authenticator refuses the directory the same way.
  zg::context<test_domain> ctx;
  zg::authenticator<test_domain> auth(ctx);
  ::chmod(allow.c_str(), 0777);
  CHECK_THROWS_WITH_AS(auth.allow_directory(allow), doctest::Contains("is writable by group or others"),
                       zg::key_error);
  ::chmod(allow.c_str(), 0755);
  auth.allow_directory(allow);
  // A reload that finds the directory opened up keeps the old set.
  ::chmod(allow.c_str(), 0777);
  CHECK_THROWS_AS(auth.reload(), zg::key_error);
  ::chmod(allow.c_str(), 0755);
  if (::geteuid() == 0) {  // another owner: only root can make one here
    REQUIRE(::chown((allow / "a.cert").c_str(), 65534, 65534) == 0);
    CHECK(refused_with("a.cert is owned by uid 65534"));
    REQUIRE(::chown((allow / "a.cert").c_str(), 0, 0) == 0);
    REQUIRE(::chown(allow.c_str(), 65534, 65534) == 0);
    CHECK(refused_with("is owned by uid 65534, neither this user nor root; its owner can add a key"));
    REQUIRE(::chown(allow.c_str(), 0, 0) == 0);
    // A secret another user owns (mode 0600 or not: root reads it) is one that user knows.
    zg::save_certificate(dir.path / "server.cert", a);
    REQUIRE(::chown((dir.path / "server.cert_secret").c_str(), 65534, 65534) == 0);
    CHECK_THROWS_WITH_AS(zg::load_keypair_certificate(dir.path / "server.cert"),
                         doctest::Contains("is owned by uid 65534, neither this user nor root; its owner knows"),
                         zg::key_error);
    REQUIRE(::chown((dir.path / "server.cert_secret").c_str(), 0, 0) == 0);
    CHECK(zg::load_keypair_certificate(dir.path / "server.cert").public_part() == a.public_part());
  } else {
    MESSAGE("not root: the other-owner cases need chown and are checked in CI, which runs as root");
  }
}

TEST_CASE("CZMQ interop: a zcert_save certificate loads here, ours loads in CZMQ") {
  temp_dir dir;
  auto const theirs = dir.path / "czmq.cert";
  auto [rc, printed] = run_command(std::string(ZGUARD_CZMQ_CERT_TOOL) + " save " + theirs.string());
  REQUIRE(rc == 0);
  auto const czmq_public = printed.substr(0, printed.find('\n'));
  auto const secret_mode = mode_of(dir.path / "czmq.cert_secret");
  if (secret_mode & 077) {  // CZMQ's private file mode depends on the process umask
    CHECK_THROWS_AS(zg::load_keypair_certificate(theirs), zg::key_error);
    ::chmod((dir.path / "czmq.cert_secret").c_str(), 0600);
  }
  auto loaded = zg::load_keypair_certificate(theirs);
  CHECK(loaded.public_part().z85() == czmq_public);
  CHECK(zg::load_public_certificate(theirs).metadata.at("name") == "made by czmq");

  auto ours = zg::keypair::generate();
  zg::save_certificate(dir.path / "ours.cert", ours, {{"name", "made by zguard"}});
  auto [rc2, lines] = run_command(std::string(ZGUARD_CZMQ_CERT_TOOL) + " load " + (dir.path / "ours.cert").string());
  REQUIRE(rc2 == 0);
  char sec[41];
  ours.secret_part().write_z85(sec);
  CHECK(lines == ours.public_part().z85() + "\n" + sec + "\n");
  sodium_memzero(sec, sizeof sec);
}
