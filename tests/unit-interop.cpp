// Interoperability with peers zguard did not write: pyzmq CURVE clients using
// certificates from our key generator, pyzmq-made certificates on our
// allowlist, and a CZMQ-made certificate in our client.
#include "support.hpp"

#include <sys/stat.h>

#include <future>
#include <stop_token>
#include <thread>

using namespace zguard_test;
namespace zg = zguard;

namespace {

// Runs examples/zguard_keygen; returns the public key it printed.
std::string keygen(std::filesystem::path const& out) {
  auto [rc, text] = run_command(std::string(ZGUARD_EXAMPLES_DIR) + "/zguard_keygen --out " + out.string() +
                                " 2>/dev/null");
  REQUIRE(rc == 0);
  return text.substr(0, text.find('\n'));
}

struct echo_server {
  std::string endpoint;
  std::jthread thread;
  echo_server(zg::context<test_domain>& ctx, zg::authenticator<test_domain>& auth, zg::keypair const& keys) {
    std::promise<std::string> bound;
    auto fut = bound.get_future();
    thread = std::jthread([&ctx, &auth, &keys, &bound](std::stop_token stop) {
      curve_rep rep(ctx, auth, keys);
      bound.set_value(rep.bind("tcp://127.0.0.1:*").address);
      rep.serve([](zmq::message_t const& m, zg::peer_info const& p) { return m.to_string() + "|" + p.user_id; },
                stop);
    });
    endpoint = fut.get();
  }
};

}  // namespace

TEST_CASE("pyzmq CURVE client with certificates from zguard_keygen is served, a stranger is not") {
  temp_dir dir;
  std::filesystem::create_directory(dir.path / "allowed");
  auto const server_public = keygen(dir.path / "server.cert");
  auto const client_public = keygen(dir.path / "client.cert");
  auto const stranger_public = keygen(dir.path / "stranger.cert");
  std::filesystem::copy_file(dir.path / "client.cert", dir.path / "allowed" / "client.cert");

  captured_events seen;
  zg::context<test_domain> ctx(seen.sink());
  zg::authenticator<test_domain> auth(ctx);
  auth.allow_directory(dir.path / "allowed");
  auto server_keys = zg::load_keypair_certificate(dir.path / "server.cert");
  CHECK(server_keys.public_part().z85() == server_public);
  echo_server server(ctx, auth, server_keys);

  auto [rc, out] = run_command(python_script("curve_req_client.py " + server.endpoint + " " +
                                             (dir.path / "server.cert").string() + " " +
                                             (dir.path / "client.cert_secret").string() + " from-pyzmq"));
  CHECK(rc == 0);
  CHECK(out == "from-pyzmq|" + client_public + "\n");

  auto [rc2, out2] = run_command(python_script("curve_req_client.py " + server.endpoint + " " +
                                               (dir.path / "server.cert").string() + " " +
                                               (dir.path / "stranger.cert_secret").string() + " intruder"));
  CHECK(rc2 == 3);
  REQUIRE(eventually([&] { return !seen.named("zap.deny").empty(); }));
  CHECK(seen.named("zap.deny").front().field("user_id") == stranger_public);
}

TEST_CASE("a pyzmq-made public certificate on our allowlist admits its pyzmq owner") {
  temp_dir dir;
  std::filesystem::create_directory(dir.path / "py");
  auto [rc, printed] = run_command(python_script("make_certificates.py " + (dir.path / "py").string() + " client"));
  REQUIRE(rc == 0);
  auto const py_public = printed.substr(0, printed.find('\n'));
  std::filesystem::create_directory(dir.path / "allowed");
  std::filesystem::copy_file(dir.path / "py" / "client.key", dir.path / "allowed" / "client.key");

  captured_events seen;
  zg::context<test_domain> ctx(seen.sink());
  zg::authenticator<test_domain> auth(ctx);
  auth.allow_directory(dir.path / "allowed");
  auto server_keys = zg::keypair::generate();
  zg::save_certificate(dir.path / "server.cert", server_keys);
  echo_server server(ctx, auth, server_keys);
  auto [rc2, out] = run_command(python_script("curve_req_client.py " + server.endpoint + " " +
                                              (dir.path / "server.cert").string() + " " +
                                              (dir.path / "py" / "client.key_secret").string() + " py-made"));
  CHECK(rc2 == 0);
  CHECK(out == "py-made|" + py_public + "\n");
}

TEST_CASE("a CZMQ-made certificate works in our CURVE client") {
  temp_dir dir;
  auto const cert = dir.path / "czmq.cert";
  auto [rc, printed] = run_command(std::string(ZGUARD_CZMQ_CERT_TOOL) + " save " + cert.string());
  REQUIRE(rc == 0);
  auto const czmq_public = printed.substr(0, printed.find('\n'));
  ::chmod((cert.string() + "_secret").c_str(), 0600);  // whatever CZMQ's umask gave it
  auto client_keys = zg::load_keypair_certificate(cert);
  CHECK(client_keys.public_part().z85() == czmq_public);

  captured_events seen;
  zg::context<test_domain> ctx(seen.sink());
  zg::authenticator<test_domain> auth(ctx);
  auth.allow(client_keys.public_part());
  auto server_keys = zg::keypair::generate();
  echo_server server(ctx, auth, server_keys);
  curve_req client(ctx, client_keys, server_keys.public_part());
  client.connect(server.endpoint);
  auto reply = client.call("czmq keys", 5);
  REQUIRE(reply);
  CHECK(reply->to_string() == "czmq keys|" + czmq_public);
}
