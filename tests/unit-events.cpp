// The security event log (G15) and the start-up gate (G16).
#include "support.hpp"

namespace zg = zguard;

TEST_CASE("events are JSON lines with escaped fields and counted by name") {
  std::vector<std::string> lines;
  zg::event_log log([&](zg::security_event const& e) { lines.push_back(zg::to_json(e)); });
  log.emit("zap.deny", zg::severity::warning, {{"reason", "quote \" backslash \\ newline \n ctl \x01"}});
  log.emit("handshake.succeeded", zg::severity::info, {});
  CHECK(log.count("zap.deny") == 1);
  CHECK(log.count("handshake.succeeded") == 1);
  CHECK(log.count("never") == 0);
  REQUIRE(lines.size() == 1);  // info events are counted, not printed, unless verbose
  CHECK(lines[0].find(R"("event":"zap.deny","level":"warning","reason":"quote \" backslash \\ newline \n ctl \u0001")") !=
        std::string::npos);
  CHECK(lines[0].find('\n') == std::string::npos);
  log.set_verbose(true);
  log.emit("handshake.succeeded", zg::severity::info, {});
  CHECK(lines.size() == 2);
}

TEST_CASE("the runtime gate accepts this machine's libzmq and libsodium") {
  CHECK_NOTHROW(zg::check_runtime());
  int major = 0, minor = 0, patch = 0;
  zmq_version(&major, &minor, &patch);
  CHECK(ZMQ_MAKE_VERSION(major, minor, patch) >= ZMQ_MAKE_VERSION(4, 3, 3));
  CHECK(zmq_has("curve"));
}

TEST_CASE("IP filters compare canonical addresses") {
  CHECK(zg::detail::canonical_ip("::ffff:127.0.0.1") == "127.0.0.1");
  CHECK(zg::detail::canonical_ip("0:0:0:0:0:0:0:1") == "::1");
  CHECK(zg::detail::canonical_ip("127.0.0.1") == "127.0.0.1");
  CHECK(zg::detail::canonical_ip("not an ip").empty());
  CHECK(zg::detail::canonical_ip("").empty());
}
