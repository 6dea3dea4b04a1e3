// The security event log (G15) and the start-up gate (G16).
#include "support.hpp"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <cctype>
#include <sstream>
#include <vector>

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

TEST_CASE("an event's fields, whatever a peer put in them, are one JSON line that parses back to the text") {
  // Values as a peer may send them: JSON syntax, control bytes, escape
  // sequences, UTF-8 of every length, a bidi override, bytes that are not UTF-8.
  std::vector<std::string> const values = {
      "quote \" backslash \\ slash / newline \n cr \r tab \t nul " + std::string(1, '\0') + " ctl \x01 del \x7f",
      "\x1b]0;owned\x07\x1b[31m\n{\"event\":\"zap.allow\",\"level\":\"warning\"}",
      "caf\xc3\xa9 \xe2\x9c\x93 \xf0\x9f\x98\x80 \xc2\x9b \xe2\x80\xae right-to-left",
      "\xff\xc3(\xed\xa0\x80\xc0\xaf"};
  // What each parses back to: the text itself when it is UTF-8; each byte
  // that is not, U+FFFD.
  std::string const fffd = "\xef\xbf\xbd";
  std::vector<std::string> const expected = {values[0], values[1], values[2],
                                             fffd + fffd + "(" + fffd + fffd + fffd + fffd + fffd};
  zg::security_event e{"message.refused", zg::severity::warning, {}};
  for (std::size_t i = 0; i < values.size(); ++i) e.fields.emplace_back("f" + std::to_string(i), values[i]);
  e.fields.emplace_back("k\n\"ey", "v");  // a key is escaped the same way
  std::string const line = zg::to_json(e) + "\n";  // as json_lines_to_stderr writes it
  zguard_test::temp_dir dir;
  auto const file = dir.path / "event.jsonl";
  auto const script = dir.path / "parse.py";
  std::ofstream(file, std::ios::binary) << line;
  // Debian's own json module, strict: one line, ASCII only, one object
  // without repeated keys; each value printed as the hex of its UTF-8.
  std::ofstream(script) << R"(import json, sys
data = open(sys.argv[1], "rb").read()
assert data.count(b"\n") == 1 and data.endswith(b"\n"), "not one line"
def unique(pairs):
    assert len(set(k for k, _ in pairs)) == len(pairs), "a key twice"
    return dict(pairs)
obj = json.loads(data.decode("ascii"), object_pairs_hook=unique)
print(obj["event"])
print(obj["k\n\"ey"])
for i in range(4):
    print(obj["f%d" % i].encode("utf-8").hex())
)";
  auto const [status, out] =
      zguard_test::run_command(std::string(ZGUARD_SYSTEM_PYTHON) + " " + script.string() + " " + file.string() + " 2>&1");
  INFO(line, out);
  REQUIRE(status == 0);
  std::vector<std::string> got;
  std::istringstream lines(out);
  for (std::string l; std::getline(lines, l);) got.push_back(l);
  REQUIRE(got.size() == 6);
  CHECK(got[0] == "message.refused");
  CHECK(got[1] == "v");
  for (std::size_t i = 0; i < expected.size(); ++i) {
    CAPTURE(i);
    CHECK(got[2 + i] == zguard_test::to_hex({reinterpret_cast<std::uint8_t const*>(expected[i].data()),
                                             expected[i].size()}));
  }
}

TEST_CASE("the runtime gate accepts this machine's libzmq and libsodium") {
  try {
    zg::check_runtime();
  } catch (zg::startup_error const& e) {
    FAIL("startup gate refused this machine: " << e.what());
  }
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

// G15 completeness: every event name the headers can emit is documented in
// docs/threat-model.md (the event table), so an operator can alert on it.
TEST_CASE("every event the library emits is documented with its name") {
  namespace fs = std::filesystem;
  std::set<std::string> emitted;
  // "family.name" string literals on the lines that emit or name events.
  auto event_literals = [](std::string const& line) {
    std::vector<std::string> out;
    for (std::size_t open = line.find('"'); open != std::string::npos;) {
      auto close = line.find('"', open + 1);
      if (close == std::string::npos) break;
      auto const word = line.substr(open + 1, close - open - 1);
      auto const dot = word.find('.');
      bool const shaped = dot != std::string::npos && dot > 0 && dot + 1 < word.size() &&
                          word.find_first_not_of("abcdefghijklmnopqrstuvwxyz_.") == std::string::npos &&
                          word.find('.', dot + 1) == std::string::npos;
      if (shaped) out.push_back(word);
      open = line.find('"', close + 1);
    }
    return out;
  };
  for (auto const& e : fs::recursive_directory_iterator(fs::path(ZGUARD_SOURCE_DIR) / "include" / "zguard")) {
    if (e.path().extension() != ".hpp" && e.path().extension() != ".ipp") continue;  // .ipp: the compiled runtime
    std::ifstream in(e.path());
    std::string line;
    while (std::getline(in, line)) {
      if (line.find("emit(") == std::string::npos && line.find("name = \"") == std::string::npos) continue;
      for (auto const& w : event_literals(line)) emitted.insert(w);
      if (line.find("emit(\"verify.\"") != std::string::npos)  // verify.<drop reason>
        for (auto r : {zg::drop_reason::malformed, zg::drop_reason::unknown_key, zg::drop_reason::bad_signature,
                       zg::drop_reason::re_topiced, zg::drop_reason::replay, zg::drop_reason::stale})
          emitted.insert("verify." + std::string(zg::to_string(r)));
      if (line.find("emit(\"seal.\"") != std::string::npos)  // seal.<why a sealed frame was not opened>
        for (auto r : {zg::detail::seal_drop::not_sealed, zg::detail::seal_drop::malformed,
                       zg::detail::seal_drop::unknown_key, zg::detail::seal_drop::weak_key, zg::detail::seal_drop::stale,
                       zg::detail::seal_drop::forged, zg::detail::seal_drop::replayed,
                       zg::detail::seal_drop::unknown_request, zg::detail::seal_drop::unknown_epoch,
                       zg::detail::seal_drop::not_a_member, zg::detail::seal_drop::stale_epoch})
          emitted.insert("seal." + std::string(zg::detail::to_string(r)));
    }
  }
  // The scan must see the known families, or it is scanning nothing.
  for (auto const* known : {"zap.deny", "zap.allow", "handshake.failed_auth", "verify.replay", "rate.limited",
                            "router.identity_mismatch", "message.refused", "req.gave_up"})
    CHECK_MESSAGE(emitted.count(known), known);
  std::string const text = zguard_test::read_file(fs::path(ZGUARD_SOURCE_DIR) / "docs" / "threat-model.md");
  REQUIRE(!text.empty());
  for (auto const& name : emitted) {
    bool const listed = text.find("`" + name + "`") != std::string::npos;
    CHECK_MESSAGE(listed, "event '" << name << "' is emitted but not in docs/threat-model.md");
  }
}

// Every "(Gn)" a diagnostic cites points at a row of the guarantee table in
// docs/threat-model.md, and every header that table names exists: the table
// is where a user reading a static_assert looks, so it must stay true.
TEST_CASE("every guarantee a diagnostic cites is a row of the threat model, and its headers exist") {
  namespace fs = std::filesystem;
  fs::path const root(ZGUARD_SOURCE_DIR);
  std::string const text = zguard_test::read_file(root / "docs" / "threat-model.md");
  REQUIRE(!text.empty());
  // "(G5)", "(G2, G3)": every number in such a parenthesis. (Scanned by
  // hand: <regex> trips GCC's -Wmaybe-uninitialized in the sanitizer build.)
  std::set<int> cited;
  auto numbers_at = [](std::string const& code, std::size_t at, std::set<int>& into) {
    std::set<int> found;
    for (;;) {
      if (code.compare(at, 1, "G") != 0) return;
      std::size_t end = at + 1;
      while (end < code.size() && std::isdigit(static_cast<unsigned char>(code[end]))) ++end;
      if (end == at + 1) return;
      found.insert(std::stoi(code.substr(at + 1, end - at - 1)));
      if (code.compare(end, 1, ")") == 0) break;
      if (code.compare(end, 2, ", ") != 0) return;
      at = end + 2;
    }
    into.insert(found.begin(), found.end());
  };
  for (auto const& e : fs::recursive_directory_iterator(root / "include" / "zguard")) {
    if (e.path().extension() != ".hpp") continue;
    std::string const code = zguard_test::read_file(e.path());
    for (std::size_t at = code.find("(G"); at != std::string::npos; at = code.find("(G", at + 1))
      numbers_at(code, at + 1, cited);
  }
  CHECK(cited.size() >= 15);  // the scan sees the citations, or it is scanning nothing
  for (int g : cited)
    CHECK_MESSAGE(text.find("\n| G" + std::to_string(g) + " |") != std::string::npos,
                  "diagnostics cite G" << g << " but docs/threat-model.md has no row for it");
  // The table's "header" column: every .hpp it names is in include/zguard.
  std::istringstream lines(text);
  int rows = 0;
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("| G", 0) != 0) continue;
    ++rows;
    std::vector<std::string> cells;
    for (std::size_t at = 0, next; (next = line.find(" | ", at)) != std::string::npos; at = next + 3)
      cells.push_back(line.substr(at, next - at));
    REQUIRE(cells.size() >= 4);
    std::istringstream headers(cells[3]);
    for (std::string h; std::getline(headers, h, ',');) {
      h.erase(0, h.find_first_not_of(' '));
      h.erase(h.find_last_not_of(' ') + 1);
      if (!h.ends_with(".hpp") && !h.ends_with("/")) continue;
      CHECK_MESSAGE(fs::exists(root / "include" / "zguard" / h),
                    "docs/threat-model.md names " << h << ", which is not in include/zguard");
    }
  }
  CHECK(rows == 19);
}

// G17: the security_profiles example prints, from the types alone, what
// every socket of the demo pipeline enforces.
TEST_CASE("security profiles of the demo pipeline name mechanism, authenticator, limits, signing and rate limit") {
  auto [rc, text] = zguard_test::run_command(std::string(ZGUARD_EXAMPLES_DIR) + "/security_profiles");
  REQUIRE(rc == 0);
  INFO(text);
  auto section = [&](std::string const& heading) {
    auto at = text.find(heading);
    REQUIRE_MESSAGE(at != std::string::npos, heading);
    auto end = at;  // the heading and its indented profile lines
    while ((end = text.find('\n', end + 1)) != std::string::npos && end + 1 < text.size() && text[end + 1] == ' ') {
    }
    return text.substr(at, end == std::string::npos ? std::string::npos : end - at);
  };
  auto const service = section("curve_service / ");
  CHECK(service.find("REP socket; domain=example; transport=tcp; mechanism=CURVE server") != std::string::npos);
  CHECK(service.find("authenticator=required (ZAP domain 'example')") != std::string::npos);
  CHECK(service.find("max_message_size=2048") != std::string::npos);
  CHECK(service.find("recv_timeout_ms=200") != std::string::npos);
  CHECK(service.find("signing=none") != std::string::npos);
  auto const broker = section("broker / ");
  CHECK(broker.find("ROUTER socket") != std::string::npos);
  CHECK(broker.find("per_peer_rate=100/s burst 20") != std::string::npos);
  CHECK(text.find("DEALER socket; domain=example; transport=ipc; mechanism=NULL") != std::string::npos);
  auto const publisher = section("signed_publisher / ");
  CHECK(publisher.find("signing=ed25519 signs") != std::string::npos);
  auto const subscriber = section("signed_subscriber / ");
  CHECK(subscriber.find("signing=ed25519 verifies (freshness_ms=10000, replay_window=256)") != std::string::npos);
  CHECK(subscriber.find("mechanism=CURVE client") != std::string::npos);
  CHECK(text.find("XSUB socket") != std::string::npos);
  CHECK(text.find("XPUB socket") != std::string::npos);
}

// --- levels and sinks as configuration (log_settings.hpp) -------------------

TEST_CASE("log levels: every event counted, those at or above the level passed on, disconnects are notices") {
  std::vector<zg::security_event> passed;
  zg::event_log log([&](zg::security_event const& e) { passed.push_back(e); });
  CHECK(log.level() == zg::severity::warning);  // default: the security-relevant part
  auto emit_all = [&] {
    log.emit("x.info", zg::severity::info, {});
    log.emit("peer.disconnected", zg::severity::notice, {});
    log.emit("zap.deny", zg::severity::warning, {});
  };
  emit_all();
  REQUIRE(passed.size() == 1);
  CHECK(passed[0].name == "zap.deny");
  log.set_level(zg::severity::notice);
  emit_all();
  REQUIRE(passed.size() == 3);
  CHECK(zg::to_json(passed[1]).find(R"("level":"notice")") != std::string::npos);
  log.set_level(zg::severity::info);
  emit_all();
  CHECK(passed.size() == 6);
  CHECK(log.count("peer.disconnected") == 3);  // counted at every level

  // A real disconnect is a notice, not a warning.
  zguard_test::captured_events seen;
  zg::context<zguard_test::test_domain> ctx(seen.sink());
  ctx.events().set_level(zg::severity::notice);
  zguard_test::temp_dir dir;
  using pair_sock = zg::socket<zguard_test::test_domain, zg::ipc, zg::pull, zg::null_mechanism, zguard_test::rr_limits>;
  using push_sock = zg::socket<zguard_test::test_domain, zg::ipc, zg::push, zg::null_mechanism, zguard_test::rr_limits>;
  pair_sock pull(ctx);
  auto ep = pull.bind("ipc://" + (dir.path / "d.sock").string());
  {
    push_sock push(ctx);
    push.connect(ep);
    REQUIRE(push.send(zmq::str_buffer("x")));
    REQUIRE(pull.receive());
  }
  REQUIRE(zguard_test::eventually([&] { return !seen.named("peer.disconnected").empty(); }));
  CHECK(seen.named("peer.disconnected")[0].level == zg::severity::notice);
}

TEST_CASE("log settings: names from configuration, refused with what is allowed") {
  auto s = zg::log_settings::parse("none", "notice");
  CHECK(s.sink == zg::log_settings::sink_kind::none);
  CHECK(s.level == zg::severity::notice);
  CHECK_THROWS_WITH_AS(zg::log_settings::parse("file", "warning"),
                       "zguard log: sink 'file' is not one of stderr, syslog, none", zg::log_settings_error);
  CHECK_THROWS_WITH_AS(zg::log_settings::parse("stderr", "debug"),
                       "zguard log: level 'debug' is not one of info, notice, warning", zg::log_settings_error);
  zg::event_log log;
  s.apply(log);
  log.emit("zap.deny", zg::severity::warning, {});  // no sink: counted only
  CHECK(log.count("zap.deny") == 1);
  CHECK(log.level() == zg::severity::notice);

  // The example programs take them as flags and refuse a bad one.
  auto [rc, out] = zguard_test::run_command(std::string(ZGUARD_EXAMPLES_DIR) +
                                            "/curve_client --cert x --server-cert y --log-level loud 2>&1");
  CHECK(rc == 2);
  CHECK(out.find("level 'loud' is not one of info, notice, warning") != std::string::npos);
}

TEST_CASE("syslog sink: one datagram per event in syslog(3)'s format, priority from the severity, no forged lines") {
  zguard_test::temp_dir dir;
  auto const path = (dir.path / "log").string();
  int const fd = ::socket(AF_UNIX, SOCK_DGRAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.data(), path.size());
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr const*>(&addr), sizeof addr) == 0);
  timeval tv{2, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  auto next = [&] {
    char buf[4096];
    auto n = ::recv(fd, buf, sizeof buf, 0);
    return n > 0 ? std::string(buf, std::size_t(n)) : std::string();
  };

  zg::log_settings s = zg::log_settings::parse("syslog", "info");
  s.syslog_ident = "zguard-test";
  s.syslog_path = path;
  zg::event_log log;
  s.apply(log);
  log.emit("zap.deny", zg::severity::warning, {{"user_id", "mallory\n<11>Jan  1 00:00:00 sshd[1]: forged"}});
  log.emit("peer.disconnected", zg::severity::notice, {});
  log.emit("handshake.succeeded", zg::severity::info, {});
  auto const pid = "zguard-test[" + std::to_string(::getpid()) + "]: {";
  auto a = next(), b = next(), c = next();
  CHECK(a.starts_with("<12>"));  // user.warning
  CHECK(b.starts_with("<13>"));  // user.notice
  CHECK(c.starts_with("<14>"));  // user.info
  for (auto const& line : {a, b, c}) {
    CHECK(line.find(pid) != std::string::npos);
    CHECK(line.find('\n') == std::string::npos);  // the peer's newline is escaped in the JSON
  }
  CHECK(a.find(R"("user_id":"mallory\n<11>Jan  1 00:00:00 sshd[1]: forged")") != std::string::npos);
  ::close(fd);

  // A syslog that cannot be reached, or an ident that could forge a prefix, is an error at start-up.
  s.syslog_path = (dir.path / "nowhere").string();
  CHECK_THROWS_WITH_AS(s.apply(log), doctest::Contains(("cannot reach syslog at " + s.syslog_path).c_str()),
                       zg::log_settings_error);
  CHECK_THROWS_AS(zg::syslog_sink("two words", path), zg::log_settings_error);
  CHECK_THROWS_AS(zg::syslog_sink("x[1]:", path), zg::log_settings_error);
}
