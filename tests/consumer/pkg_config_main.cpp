// Built with only `pkg-config --cflags --libs zguard`: the umbrella header
// compiles, and a certificate round trip links libsodium and libzmq.
#include <zguard/zguard.hpp>

#include <iostream>

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  auto keys = zguard::keypair::generate();
  zguard::save_certificate(argv[1], keys, {{"name", "pkg-config"}});
  auto const cert = zguard::load_public_certificate(argv[1]);
  auto const back = zguard::load_keypair_certificate(argv[1]);
  if (!(cert.key == keys.public_part()) || !(back.public_part() == keys.public_part())) return 1;
  std::cout << "pkg-config consumer: ok\n";
  return 0;
}
