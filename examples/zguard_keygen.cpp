// zguard_keygen: writes a CURVE keypair as CZMQ-compatible certificate files:
// NAME (public, share it) and NAME_secret (mode 0600, keep it).
#include <zguard/zguard.hpp>

#include <iostream>

#include "cli.hpp"

int main(int argc, char** argv) {
  example::cli cli("zguard_keygen",
                   "Generates a CURVE keypair and writes CZMQ-compatible certificate files\n"
                   "(ZPL): OUT holds the public key, OUT_secret (mode 0600) the secret key.",
                   {{"out", "path of the public certificate to write", "", true},
                    {"name", "metadata 'name' stored in the certificate", "", false}});
  cli.parse(argc, argv);
  try {
    auto keys = zguard::keypair::generate();
    std::map<std::string, std::string> meta;
    if (!cli.get("name").empty()) meta["name"] = cli.get("name");
    zguard::save_certificate(cli.get("out"), keys, meta);
    std::cout << keys.public_part().z85() << "\n";
    std::cerr << R"({"event":"keygen.written","level":"info","public":")" << cli.get("out")
              << R"(","secret":")" << cli.get("out") << "_secret\"}\n";
  } catch (std::exception const& e) {
    std::cerr << "zguard_keygen: " << e.what() << "\n";
    return 1;
  }
}
