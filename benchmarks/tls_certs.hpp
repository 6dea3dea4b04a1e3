// TLS certificates for the benchmarks that run a peer over TLS (nats-server,
// gRPC): a CA, a server certificate for 127.0.0.1 and localhost and a client
// certificate (clientAuth), ECDSA P-256, made by the openssl command in a
// private temporary directory that is removed when done.
#pragma once

#include <stdlib.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace bench_support {

class tls_certs {
 public:
  tls_certs() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "zguard-bench-tls-XXXXXX").string();
    if (!::mkdtemp(tmpl.data())) std::abort();
    dir_ = tmpl;
    auto const d = dir_.string();
    std::ofstream(dir_ / "server.ext") << "subjectAltName=IP:127.0.0.1,DNS:localhost\n";
    std::ofstream(dir_ / "client.ext") << "extendedKeyUsage=clientAuth\n";
    std::string const quiet = " > /dev/null 2>&1";
    std::string const ec = " -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";
    run("openssl req -x509" + ec + " -keyout " + d + "/ca.key -out " + d + "/ca.pem -days 2 -subj /CN=zguard-bench-ca" +
        quiet);
    for (std::string who : {"server", "client"}) {
      run("openssl req" + ec + " -keyout " + d + "/" + who + ".key -out " + d + "/" + who + ".csr -subj /CN=" +
          (who == "server" ? "localhost" : "bench-client") + quiet);
      run("openssl x509 -req -in " + d + "/" + who + ".csr -CA " + d + "/ca.pem -CAkey " + d +
          "/ca.key -CAcreateserial -days 2 -extfile " + d + "/" + who + ".ext -out " + d + "/" + who + ".pem" + quiet);
    }
  }
  ~tls_certs() {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  tls_certs(tls_certs const&) = delete;
  tls_certs& operator=(tls_certs const&) = delete;

  std::filesystem::path const& dir() const { return dir_; }
  std::string path(char const* file) const { return (dir_ / file).string(); }
  // A file's text (PEM), for APIs that take the contents.
  std::string text(char const* file) const {
    std::ifstream in(dir_ / file);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
  }

 private:
  static void run(std::string const& command) {
    if (std::system(command.c_str()) != 0) {
      std::fprintf(stderr, "bench: failed: %s\n", command.c_str());
      std::exit(2);
    }
  }
  std::filesystem::path dir_;
};

}  // namespace bench_support
