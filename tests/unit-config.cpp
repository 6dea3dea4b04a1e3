// Ranged limit tags (limits.hpp) and configuration files (config.hpp): a
// socket whose limits declare *_in<Lo, Hi> is given the chosen values at
// construction, checks them against the range, applies them and reads them
// back at every bind and connect like fixed values; a TOML file provides
// them (and endpoints, paths, numbers) with every mistake refused naming
// file, key and range. The converted curve_service example runs from a
// configuration file. Option values are read through zguard's internal
// accessor, standing in for anything that could reach the handle.
#include "schemas.hpp"
#include "support.hpp"

#include <zguard/config.hpp>

#include <sys/stat.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

using namespace zguard_test;
namespace zg = zguard;

namespace {

using ranged_limits = zg::limits<zg::send_hwm_in<10, 1000>, zg::recv_hwm_in<10, 1000>, zg::block_when_full,
                                 zg::linger_ms_in<0, 100>, zg::send_timeout_ms_in<10, 2000>,
                                 zg::recv_timeout_ms_in<10, 2000>>;
// Only some slots ranged: the others keep their declared value.
using partly_ranged = zg::limits<zg::send_hwm<100>, zg::recv_hwm_in<10, 1000>, zg::block_when_full, zg::linger_ms<0>,
                                 zg::send_timeout_ms<500>, zg::recv_timeout_ms_in<10, 2000>>;
using ranged_push = zg::socket<test_domain, zg::inproc, zg::push, zg::null_mechanism, ranged_limits>;
using ranged_pull = zg::socket<test_domain, zg::inproc, zg::pull, zg::null_mechanism, ranged_limits>;
using partly_pull = zg::socket<test_domain, zg::inproc, zg::pull, zg::null_mechanism, partly_ranged>;
// Over tcp with CURVE, as a service would be.
using net_ranged = zg::limits<zg::send_hwm_in<10, 1000>, zg::recv_hwm<100>, zg::block_when_full,
                              zg::max_message_size<4096>, zg::linger_ms<0>, zg::send_timeout_ms<1000>,
                              zg::recv_timeout_ms_in<100, 2000>, zg::handshake_timeout_ms<2000>>;
using net_rep = zg::socket<test_domain, zg::tcp, zg::rep, zg::curve_server, net_ranged>;

// A signed stream: runtime_limits sits between the mechanism's arguments
// (none for NULL) and the signing key or verify keys.
using ipc_ranged = zg::limits<zg::send_hwm_in<10, 1000>, zg::recv_hwm_in<10, 1000>, zg::block_when_full,
                              zg::max_message_size<4096>, zg::linger_ms<0>, zg::send_timeout_ms<1000>,
                              zg::recv_timeout_ms_in<10, 2000>, zg::handshake_timeout_ms<2000>>;
using signed_push = zg::socket<test_domain, zg::ipc, zg::push, zg::null_mechanism, ipc_ranged, zg::stream<tick>,
                               zg::signing<zg::ed25519>>;
using signed_pull = zg::socket<test_domain, zg::ipc, zg::pull, zg::null_mechanism, ipc_ranged, zg::stream<tick>,
                               zg::signing<zg::ed25519>>;

static_assert(!ranged_limits::ranged<zg::limit_slot::overflow> && ranged_limits::has_ranged);
static_assert(!zg::detail::socket_traits<test_domain, zg::inproc, zg::pull, zg::null_mechanism,
                                          inproc_limits>::takes_runtime_limits);

zg::runtime_limits chosen() {
  return {.send_hwm = 123, .recv_hwm = 456, .linger_ms = 7, .send_timeout_ms = 890, .recv_timeout_ms = 321};
}

int get_int(auto& s, int name) {
  int v = 0;
  std::size_t n = sizeof v;
  REQUIRE(zmq_getsockopt(zg::detail::socket_access::handle(s), name, &v, &n) == 0);
  return v;
}
void set_int(auto& s, int name, int v) {
  REQUIRE(zmq_setsockopt(zg::detail::socket_access::handle(s), name, &v, sizeof v) == 0);
}

std::string error_of(auto&& f) {
  try {
    f();
  } catch (zg::config_error const& e) {
    return e.what();
  }
  return "no error";
}

constexpr char const* good_limits = R"(
[service.socket]
send_hwm = 50
recv_hwm = 60
linger_ms = 5
send_timeout_ms = 700
recv_timeout_ms = 800
)";

}  // namespace

TEST_CASE("ranged limits: the chosen values are applied, read back at bind and connect, and carry messages") {
  zg::context<test_domain> ctx;
  captured_events seen;
  ctx.events().set_sink(seen.sink());
  ranged_pull pull(ctx, chosen());
  ranged_push push(ctx, chosen());
  CHECK(get_int(pull, ZMQ_SNDHWM) == 123);
  CHECK(get_int(pull, ZMQ_RCVHWM) == 456);
  CHECK(get_int(pull, ZMQ_LINGER) == 7);
  CHECK(get_int(pull, ZMQ_SNDTIMEO) == 890);
  CHECK(get_int(pull, ZMQ_RCVTIMEO) == 321);
  CHECK(pull.applied_limits() ==
        "send_hwm=123; recv_hwm=456; linger_ms=7; send_timeout_ms=890; recv_timeout_ms=321");
  // The socket keeps its own copy: changing the caller's afterwards changes nothing.
  auto rl = chosen();
  ranged_pull copy_holder(ctx, rl);
  rl.send_hwm = 999;
  CHECK(get_int(copy_holder, ZMQ_SNDHWM) == 123);
  copy_holder.bind(zg::endpoint<zg::inproc, test_domain>("inproc://copy"));
  zg::endpoint<zg::inproc, test_domain> ep("inproc://ranged");
  pull.bind(ep);
  push.connect(ep);
  REQUIRE(push.send(std::string_view("hello")));
  auto got = pull.receive();
  REQUIRE(got);
  CHECK(got->to_string() == "hello");

  // Set back to the type's stand-in (Hi) or anything else behind zguard's
  // back: the chosen value is what is compared, so the next connect refuses.
  set_int(push, ZMQ_SNDHWM, 1000);
  CHECK_THROWS_WITH_AS(push.connect(ep), doctest::Contains("libzmq's send_hwm no longer matches"), zg::socket_error);
  set_int(pull, ZMQ_RCVTIMEO, -1);
  zg::endpoint<zg::inproc, test_domain> ep2("inproc://ranged2");
  CHECK_THROWS_WITH_AS(pull.bind(ep2), doctest::Contains("libzmq's recv_timeout_ms no longer matches"),
                       zg::socket_error);
  CHECK(seen.named("socket.tampered").size() == 2);
}

TEST_CASE("ranged limits: a fixed slot keeps its declared value, the profile shows ranges") {
  zg::context<test_domain> ctx;
  partly_pull pull(ctx, zg::runtime_limits{.recv_hwm = 10, .recv_timeout_ms = 2000});
  CHECK(get_int(pull, ZMQ_SNDHWM) == 100);
  CHECK(get_int(pull, ZMQ_RCVHWM) == 10);
  CHECK(get_int(pull, ZMQ_SNDTIMEO) == 500);
  CHECK(get_int(pull, ZMQ_RCVTIMEO) == 2000);
  auto const profile = partly_pull::profile();
  CHECK(profile.find("send_hwm=100; recv_hwm=10..1000;") != std::string::npos);
  CHECK(profile.find("send_timeout_ms=500; recv_timeout_ms=10..2000") != std::string::npos);
  CHECK(profile.find("ranged limits chosen at start-up") != std::string::npos);
  // A socket with fixed limits only is described as before.
  CHECK(zg::socket<test_domain, zg::inproc, zg::pull, zg::null_mechanism, inproc_limits>::profile().find("..") ==
        std::string::npos);
}

TEST_CASE("ranged limits: a value out of range, missing, or for a fixed slot is refused before any option is set") {
  zg::context<test_domain> ctx;
  auto rl = chosen();
  SUBCASE("above Hi") {
    rl.send_hwm = 1001;
    CHECK_THROWS_WITH_AS(ranged_pull(ctx, rl), "zguard::runtime_limits: send_hwm=1001 is out of range 10..1000",
                         zg::runtime_limit_error);
  }
  SUBCASE("below Lo") {
    rl.recv_timeout_ms = 9;
    CHECK_THROWS_WITH_AS(ranged_pull(ctx, rl), "zguard::runtime_limits: recv_timeout_ms=9 is out of range 10..2000",
                         zg::runtime_limit_error);
  }
  SUBCASE("negative, as -1 would mean forever to libzmq") {
    rl.linger_ms = -1;
    CHECK_THROWS_WITH_AS(ranged_pull(ctx, rl), "zguard::runtime_limits: linger_ms=-1 is out of range 0..100",
                         zg::runtime_limit_error);
  }
  SUBCASE("too large for int: no overflow into range") {
    rl.send_timeout_ms = (std::int64_t(1) << 32) + 500;
    CHECK_THROWS_AS(ranged_pull(ctx, rl), zg::runtime_limit_error);
  }
  SUBCASE("missing") {
    rl.recv_hwm.reset();
    rl.source = "here";
    CHECK_THROWS_WITH_AS(ranged_pull(ctx, rl), "here: recv_hwm is missing (the socket type takes 10..1000)",
                         zg::runtime_limit_error);
  }
  SUBCASE("a value for a fixed slot") {
    CHECK_THROWS_WITH_AS(partly_pull(ctx, zg::runtime_limits{.send_hwm = 100, .recv_hwm = 10, .recv_timeout_ms = 20}),
                         "zguard::runtime_limits: send_hwm is not configurable for this socket type (fixed at 100 "
                         "by its type): remove it",
                         zg::runtime_limit_error);
  }
}

TEST_CASE("ranged limits over tcp with CURVE: runtime_limits right after the mechanism's arguments") {
  zg::context<test_domain> ctx;
  zg::authenticator<test_domain> auth(ctx);
  auto const server = zg::keypair::generate();
  auto const client = zg::keypair::generate();
  auth.allow(client.public_part());
  net_rep rep(ctx, auth, server, zg::runtime_limits{.send_hwm = 20, .recv_timeout_ms = 300});
  CHECK(get_int(rep, ZMQ_SNDHWM) == 20);
  CHECK(get_int(rep, ZMQ_RCVTIMEO) == 300);
  auto const bound = rep.bind("tcp://127.0.0.1:*");
  curve_req req(ctx, client, server.public_part());
  req.connect(bound.address);
  REQUIRE(req.send(std::string_view("ping")));
  auto got = rep.receive();
  REQUIRE(got);
  CHECK(got->to_string() == "ping");
}

TEST_CASE("ranged limits on a signed stream: the signing key and verify keys still follow, each in its place") {
  temp_dir dir;
  zg::context<test_domain> ctx;
  auto const key = zg::signing_key<zg::ed25519>::generate();
  zg::verify_keys<zg::ed25519> keys;
  keys.add(key.verify_part());
  signed_pull pull(ctx, zg::runtime_limits{.send_hwm = 10, .recv_hwm = 20, .recv_timeout_ms = 500}, keys);
  signed_push push(ctx, zg::runtime_limits{.send_hwm = 30, .recv_hwm = 40, .recv_timeout_ms = 600}, key);
  CHECK(get_int(pull, ZMQ_RCVHWM) == 20);
  CHECK(get_int(push, ZMQ_SNDHWM) == 30);
  CHECK(get_int(push, ZMQ_RCVTIMEO) == 600);
  auto const ep = pull.bind("ipc://" + (dir.path / "s.sock").string());
  push.connect(ep);
  REQUIRE(push.send(tick{"ZG", 42, 1}));
  auto got = pull.receive();
  REQUIRE(got);
  CHECK(got->value.price == 42);
}

TEST_CASE("config: limits_for reads exactly the keys a socket's ranged tags name, within their ranges") {
  temp_dir dir;
  auto const file = write_file(dir.path / "service.toml", good_limits);
  auto const cfg = zg::config::load(file);
  auto const rl = cfg.limits_for<ranged_pull>("service.socket");
  CHECK(rl.send_hwm == 50);
  CHECK(rl.recv_timeout_ms == 800);
  CHECK(rl.source == file + " [service.socket]");
  zg::context<test_domain> ctx;
  ranged_pull pull(ctx, rl);
  CHECK(get_int(pull, ZMQ_RCVHWM) == 60);
  CHECK(get_int(pull, ZMQ_SNDTIMEO) == 700);
  CHECK(pull.applied_limits() == "send_hwm=50; recv_hwm=60; linger_ms=5; send_timeout_ms=700; recv_timeout_ms=800");
}

TEST_CASE("config: every mistake is refused naming the file, the key and the range") {
  temp_dir dir;
  auto const load = [&](std::string const& text) { return zg::config::load(write_file(dir.path / "s.toml", text)); };
  auto const name = (dir.path / "s.toml").string();
  SUBCASE("a missing key") {
    auto const cfg = load("[service.socket]\nsend_hwm = 50\nrecv_hwm = 60\nlinger_ms = 5\nsend_timeout_ms = 700\n");
    CHECK(error_of([&] { (void)cfg.limits_for<ranged_pull>("service.socket"); }) ==
          name + ": service.socket.recv_timeout_ms is missing (the socket type takes 10..2000)");
  }
  SUBCASE("a value out of range, with its line") {
    std::string text = good_limits;
    text.replace(text.find("send_hwm = 50"), 13, "send_hwm = 5000");
    auto const cfg = load(text);
    CHECK(error_of([&] { (void)cfg.limits_for<ranged_pull>("service.socket"); }) ==
          name + ":3:12: service.socket.send_hwm=5000 is out of range 10..1000");
  }
  SUBCASE("an unknown key (a typo) in the socket's table") {
    auto const cfg = load(std::string(good_limits) + "recv_timout_ms = 100\n");
    CHECK(error_of([&] { (void)cfg.limits_for<ranged_pull>("service.socket"); }) ==
          name + ":8:18: service.socket.recv_timout_ms is not a setting of this socket type (it reads send_hwm, "
                 "recv_hwm, linger_ms, send_timeout_ms, recv_timeout_ms)");
  }
  SUBCASE("a key the type fixes is unknown too") {
    auto const cfg = load(good_limits);
    CHECK(error_of([&] { (void)cfg.limits_for<partly_pull>("service.socket"); }).find(
              ": service.socket.send_hwm is not a setting of this socket type (it reads recv_hwm, recv_timeout_ms)") !=
          std::string::npos);
  }
  SUBCASE("a value of the wrong type") {
    std::string text = good_limits;
    text.replace(text.find("linger_ms = 5"), 13, "linger_ms = \"5\"");
    auto const cfg = load(text);
    CHECK(error_of([&] { (void)cfg.limits_for<ranged_pull>("service.socket"); }) ==
          name + ":5:13: service.socket.linger_ms must be an integer in 0..100");
  }
  SUBCASE("a bad endpoint") {
    auto const cfg = load("[service]\nbind = \"tcp://127.0.0.1:99999\"\n");
    CHECK(error_of([&] { (void)cfg.endpoint<zg::tcp>("service.bind"); }) ==
          name + ":2:8: service.bind: zguard: tcp endpoint 'tcp://127.0.0.1:99999': port out of range");
    CHECK(error_of([&] { (void)cfg.endpoint<zg::tcp>("service.connect"); }) == name + ": service.connect is missing");
  }
  SUBCASE("a syntax error") {
    CHECK(error_of([&] { (void)load("[service\nbind = 1\n"); }).starts_with(name + ":1:"));
  }
  SUBCASE("a file that is not there") {
    CHECK(error_of([&] { (void)zg::config::load(dir.path / "absent.toml"); })
              .starts_with("zguard config: " + (dir.path / "absent.toml").string() + " cannot be opened"));
  }
  SUBCASE("a file others can write, or a link to one: they would choose the keys and the allowlist") {
    write_file(dir.path / "open.toml", "[service]\n");
    ::chmod((dir.path / "open.toml").c_str(), 0666);
    CHECK(error_of([&] { (void)zg::config::load(dir.path / "open.toml"); }).find("writable by group or others") !=
          std::string::npos);
    ::chmod((dir.path / "open.toml").c_str(), 0644);
    std::filesystem::create_symlink(dir.path / "open.toml", dir.path / "link.toml");
    CHECK(error_of([&] { (void)zg::config::load(dir.path / "link.toml"); }).find("is a symlink") != std::string::npos);
    CHECK(zg::config::load(dir.path / "open.toml").name() == (dir.path / "open.toml").string());
  }
  SUBCASE("numbers and texts with bounds; unknown keys of a table") {
    auto const cfg = load("[service]\nrequests = -1\nname = \"a\\u0007b\"\nlong = \"abcdef\"\nbind = 3\n");
    CHECK(error_of([&] { (void)cfg.number("service.requests", 0, 10); }) ==
          name + ":2:12: service.requests=-1 is out of range 0..10");
    CHECK(cfg.number("service.absent", 0, 10, 4) == 4);
    CHECK(error_of([&] { (void)cfg.text("service.name", 10); }) ==
          name + ":3:8: service.name contains a control character (U+0007) at byte 1");
    CHECK(error_of([&] { (void)cfg.text("service.long", 3); }) ==
          name + ":4:8: service.long is 6 bytes; at most 3 allowed");
    CHECK(error_of([&] { (void)cfg.path("service.bind"); }) == name + ":5:8: service.bind must be a string");
    CHECK(error_of([&] { cfg.expect_only("service", {"requests", "name", "bind"}); }) ==
          name + ":4:8: service.long is not a known key (expected requests, name, bind)");
  }
}

TEST_CASE("config: a relative path is taken from the configuration file's directory") {
  temp_dir dir;
  std::filesystem::create_directory(dir.path / "etc");
  auto const cfg = zg::config::load(write_file(dir.path / "etc" / "s.toml", "[s]\ncert = \"keys/server.cert\"\n"
                                                                              "abs = \"/var/lib/x.cert\"\n"));
  CHECK(cfg.path("s.cert") == dir.path / "etc" / "keys" / "server.cert");
  CHECK(cfg.path("s.abs") == std::filesystem::path("/var/lib/x.cert"));
}

TEST_CASE("config: the endpoints a file names are bound and connected as they are read") {
  using pull_t = zg::socket<test_domain, zg::tcp, zg::pull, zg::insecure<"loopback test">, rr_limits, zg::stream<tick>>;
  using push_t = zg::socket<test_domain, zg::tcp, zg::push, zg::insecure<"loopback test">, rr_limits, zg::stream<tick>>;
  zg::context<test_domain> ctx;
  pull_t pull(ctx);
  auto const bound = pull.bind("tcp://127.0.0.1:*");
  temp_dir dir;
  auto const cfg = zg::config::load(write_file(dir.path / "s.toml", "[feed]\nconnect = \"" + bound.address + "\"\n"));
  push_t push(ctx);
  push.connect(cfg.endpoint<zg::tcp>("feed.connect"));  // the endpoint type as the reader returns it
  REQUIRE(push.send(tick{"ABC", 1, 1}));
  auto got = pull.receive();
  REQUIRE(got);
  CHECK(got->value.seq == 1);
}

// The converted example: curve_service --config serves a client; a bad
// file stops it at start-up with the file and key.
TEST_CASE("curve_service --config: settings and ranged limits from a TOML file") {
  std::string const bin = ZGUARD_EXAMPLES_DIR;
  REQUIRE_MESSAGE(std::filesystem::exists(bin + "/curve_service"), "build the curve_service example");
  temp_dir dir;
  std::filesystem::create_directory(dir.path / "allowed");
  for (auto const& cert : {dir.path / "server.cert", dir.path / "allowed" / "client.cert"})
    REQUIRE(run_command(bin + "/zguard_keygen --out " + cert.string() + " >/dev/null 2>&1").first == 0);
  std::string const config = R"([service]
bind = "tcp://127.0.0.1:*"
cert = "server.cert"
allow_dir = "allowed"
requests = 1
endpoint_file = "endpoint"
[service.socket]
send_hwm = 500
recv_hwm = 600
linger_ms = 0
send_timeout_ms = 1000
recv_timeout_ms = 200
)";
  auto const file = write_file(dir.path / "service.toml", config);
  auto const out = (dir.path / "out").string();
  // Bounded: `timeout` ends it should the client never reach it.
  REQUIRE(std::system(("timeout 60 " + bin + "/curve_service --config " + file + " >" + out + " 2>&1 &").c_str()) ==
          0);
  REQUIRE(eventually([&] {
    std::error_code ec;
    auto const size = std::filesystem::file_size(dir.path / "endpoint", ec);
    return !ec && size > 0;
  }));
  std::string endpoint;
  std::ifstream(dir.path / "endpoint") >> endpoint;
  auto [rc, text] = run_command(bin + "/curve_client --connect " + endpoint + " --cert " +
                                (dir.path / "allowed" / "client.cert").string() + " --server-cert " +
                                (dir.path / "server.cert").string() + " --count 1 --message configured 2>&1");
  CHECK(rc == 0);
  INFO(text);
  std::string served;
  REQUIRE(eventually([&] {  // the service exits after one request
    std::ifstream in(out);
    served.assign(std::istreambuf_iterator<char>(in), {});
    return served.find("served 1 requests") != std::string::npos;
  }));
  INFO(served);
  CHECK(served.find("send_hwm=500; recv_hwm=600; linger_ms=0; send_timeout_ms=1000; recv_timeout_ms=200") !=
        std::string::npos);
  CHECK(served.find("send_hwm=10..10000") != std::string::npos);
  CHECK(served.find("configured") != std::string::npos);

  // Out of range: refused at start-up, naming file:line, key and range.
  std::string bad = config;
  bad.replace(bad.find("recv_timeout_ms = 200"), 21, "recv_timeout_ms = 5");
  write_file(dir.path / "service.toml", bad);
  auto [rc2, err] = run_command(bin + "/curve_service --config " + file + " 2>&1");
  CHECK(rc2 == 1);
  CHECK(err.find(file + ":12:19: service.socket.recv_timeout_ms=5 is out of range 50..1000") != std::string::npos);
  // A typo in the service table.
  write_file(dir.path / "service.toml", "[service]\nbnd = \"tcp://127.0.0.1:*\"\n");
  auto [rc3, err3] = run_command(bin + "/curve_service --config " + file + " 2>&1");
  CHECK(rc3 == 1);
  CHECK(err3.find(file + ":2:7: service.bnd is not a known key") != std::string::npos);
}

TEST_CASE("config: a text is refused with a C1 control, a bidi control or a line separator, and errors show file text escaped") {
  temp_dir dir;
  auto const load = [&](std::string const& text) { return zg::config::load(write_file(dir.path / "t.toml", text)); };
  auto const name = (dir.path / "t.toml").string();
  auto const cfg = load("[service]\nc1 = \"a\\u009b31m\"\nbidi = \"txt.\\u202Eexe\"\nisolate = \"a\\u2066b\"\n"
                        "separator = \"a\\u2028b\"\nok = \"caf\\u00e9 \\u2713\"\n"
                        "\"\\u001b]0;owned\\u0007\\n{\\\"event\\\":1}\" = 1\n");
  CHECK(error_of([&] { (void)cfg.text("service.c1", 64); }) ==
        name + ":2:6: service.c1 contains a control character (U+009B) at byte 1");
  CHECK(error_of([&] { (void)cfg.text("service.bidi", 64); }) ==
        name + ":3:8: service.bidi contains a bidi control (U+202E) at byte 4");
  CHECK(error_of([&] { (void)cfg.text("service.isolate", 64); }).find("a bidi control (U+2066)") != std::string::npos);
  CHECK(error_of([&] { (void)cfg.text("service.separator", 64); }).find("a line separator (U+2028)") !=
        std::string::npos);
  CHECK(cfg.text("service.ok", 64) == "caf\xc3\xa9 \xe2\x9c\x93");
  // A key is the file's text too: the error names it escaped, on one line.
  auto const unknown = error_of([&] { cfg.expect_only("service", {"c1", "bidi", "isolate", "separator", "ok"}); });
  INFO(unknown);
  CHECK(unknown.find("service.\\x1b]0;owned\\x07\\n{\"event\":1} is not a known key") != std::string::npos);
  CHECK(why_not_shown(unknown) == "");
  // So is what the TOML parser quotes from a file it cannot parse.
  write_file(dir.path / "raw.toml", "[service]\nname = \"a\x1b[2J\nb\"\n");
  auto const parse = error_of([&] { (void)zg::config::load(dir.path / "raw.toml"); });
  INFO(parse);
  CHECK(why_not_shown(parse) == "");
}
