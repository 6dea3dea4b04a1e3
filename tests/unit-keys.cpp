// Key types (G4): Z85 validation, guarded secrets, checked keypairs.
#include "support.hpp"

#include <unordered_set>

namespace zg = zguard;

TEST_CASE("public keys round-trip through Z85 and match libzmq's encoding") {
  auto keys = zg::keypair::generate();
  auto text = keys.public_part().z85();
  CHECK(text.size() == 40);
  CHECK(zg::public_key::from_z85(text) == keys.public_part());
  // Against libzmq's own keypair generator and encoder.
  char pub[41], sec[41];
  REQUIRE(zmq_curve_keypair(pub, sec) == 0);
  auto theirs = zg::keypair(zg::public_key::from_z85(pub), zg::secret_key::from_z85(sec));
  CHECK(theirs.public_part().z85() == pub);
  char written[41];
  theirs.secret_part().write_z85(written);
  CHECK(std::string(written) == sec);
  sodium_memzero(sec, sizeof sec);
  sodium_memzero(written, sizeof written);
}

TEST_CASE("Z85 input is validated before decoding") {
  auto good = zg::keypair::generate().public_part().z85();
  CHECK_THROWS_WITH_AS(zg::public_key::from_z85(good.substr(0, 39)), doctest::Contains("40 characters"),
                       zg::key_error);
  CHECK_THROWS_WITH_AS(zg::public_key::from_z85(good + "0"), doctest::Contains("40 characters"), zg::key_error);
  auto bad = good;
  bad[7] = '"';
  CHECK_THROWS_WITH_AS(zg::public_key::from_z85(bad), doctest::Contains("Z85 alphabet"), zg::key_error);
  bad[7] = ' ';
  CHECK_THROWS_AS(zg::secret_key::from_z85(bad), zg::key_error);
  CHECK_THROWS_AS(zg::public_key::from_z85(""), zg::key_error);
  // "#####" decodes past 2^32 per group: libzmq refuses it, so do we.
  CHECK_THROWS_AS(zg::public_key::from_z85(std::string(40, '#')), zg::key_error);
}

TEST_CASE("a keypair whose secret does not derive its public key is refused") {
  auto a = zg::keypair::generate();
  auto b = zg::keypair::generate();
  char sec[41];
  b.secret_part().write_z85(sec);
  CHECK_THROWS_WITH_AS(zg::keypair(a.public_part(), zg::secret_key::from_z85(sec)),
                       doctest::Contains("does not match"), zg::key_error);
  CHECK_NOTHROW(zg::keypair(b.public_part(), zg::secret_key::from_z85(sec)));
  sodium_memzero(sec, sizeof sec);
}

TEST_CASE("generated keypairs are distinct, moved-from secrets refuse use") {
  std::unordered_set<zg::public_key> seen;
  std::unordered_set<std::size_t> hashes;  // public_key_hash spreads random keys
  for (int i = 0; i < 50; ++i) {
    auto const key = zg::keypair::generate().public_part();
    CHECK(seen.insert(key).second);
    CHECK(hashes.insert(zg::public_key_hash{}(key)).second);
  }
  auto keys = zg::keypair::generate();
  char sec[41];
  keys.secret_part().write_z85(sec);
  auto secret = zg::secret_key::from_z85(sec);
  sodium_memzero(sec, sizeof sec);
  auto moved = std::move(secret);
  CHECK(moved.data() != nullptr);
  CHECK_THROWS_WITH_AS((void)secret.data(), doctest::Contains("moved-from"), zg::key_error);  // NOLINT
}
