// The key generator behind `zguard keygen` and examples/zguard_keygen: one
// implementation, two program names (tests and scripts run the example).
#pragma once

#include <zguard/certificate.hpp>
#include <zguard/sealed.hpp>
#include <zguard/signing.hpp>

#include <iostream>
#include <map>
#include <string>

#include "../examples/cli.hpp"

namespace zguard_tool {

// argv[0] is the program (or subcommand) name; flags follow. Returns the exit code.
inline int keygen(std::string const& program, int argc, char** argv) {
  example::cli cli(program,
                   "Generates a CURVE keypair and writes CZMQ-compatible certificate files\n"
                   "(ZPL): OUT holds the public key, OUT_secret (mode 0600) the secret key.\n"
                   "With --sign ed25519 it writes an Ed25519 signing key instead (OUT: the\n"
                   "verify key for subscribers, OUT_secret: the publisher's key); with\n"
                   "--sign blake2b a group MAC key (OUT_secret only); with --seal x25519 a\n"
                   "service's sealing key (OUT: the public key its clients are pinned to,\n"
                   "OUT_secret: the service's).",
                   {{"out", "path of the public file to write", "", true},
                    {"name", "metadata 'name' stored in a CURVE certificate", "", false},
                    {"sign", "write a signing key instead: ed25519 or blake2b", "", false},
                    {"seal", "write a sealing key instead: x25519", "", false}});
  cli.parse(argc, argv);
  try {
    auto const& out = cli.get("out");
    if (cli.get("sign") == "ed25519") {
      auto key = zguard::signing_key<zguard::ed25519>::generate();
      zguard::save_signing_key(out, key);
      std::cout << key.verify_part().z85() << "\n";
      std::cerr << R"({"event":"keygen.written","level":"info","kind":"ed25519","key_id":")" << key.id().hex()
                << R"(","public":")" << out << R"(","secret":")" << out << "_secret\"}\n";
      return 0;
    }
    if (cli.get("sign") == "blake2b") {
      auto key = zguard::signing_key<zguard::blake2b_mac>::generate();
      zguard::save_signing_key(out, key);
      std::cout << key.id().hex() << "\n";
      std::cerr << R"({"event":"keygen.written","level":"info","kind":"blake2b-256","key_id":")" << key.id().hex()
                << R"(","secret":")" << out << "_secret\"}\n";
      return 0;
    }
    if (!cli.get("sign").empty()) cli.fail("--sign takes ed25519 or blake2b");
    if (cli.get("seal") == "x25519") {
      auto key = zguard::sealing_key::generate();
      zguard::save_sealing_key(out, key);
      std::cout << key.public_part().z85() << "\n";
      std::cerr << R"({"event":"keygen.written","level":"info","kind":"x25519-sealing","key_id":")" << key.id().hex()
                << R"(","public":")" << out << R"(","secret":")" << out << "_secret\"}\n";
      return 0;
    }
    if (!cli.get("seal").empty()) cli.fail("--seal takes x25519");
    auto keys = zguard::keypair::generate();
    std::map<std::string, std::string> meta;
    if (!cli.get("name").empty()) meta["name"] = cli.get("name");
    zguard::save_certificate(out, keys, meta);
    std::cout << keys.public_part().z85() << "\n";
    std::cerr << R"({"event":"keygen.written","level":"info","public":")" << out << R"(","secret":")" << out
              << "_secret\"}\n";
  } catch (std::exception const& e) {
    std::cerr << program << ": " << e.what() << "\n";
    return 1;
  }
  return 0;
}

}  // namespace zguard_tool
