// Endpoints and the transports other than tcp: ipc file safety (G11), PLAIN
// on ipc with hashed passwords (G2), inproc typed by domain (G10).
#include "support.hpp"

#include <sys/stat.h>

#include <fstream>
#include <future>
#include <stop_token>
#include <thread>

using namespace zguard_test;
namespace zg = zguard;

namespace {
using local_limits = zg::limits<zg::send_hwm<100>, zg::recv_hwm<100>, zg::block_when_full,
                                zg::max_message_size<4096>, zg::linger_ms<0>, zg::send_timeout_ms<1000>,
                                zg::recv_timeout_ms<1000>, zg::handshake_timeout_ms<2000>>;
using inproc_limits = zg::limits<zg::send_hwm<100>, zg::recv_hwm<100>, zg::block_when_full, zg::linger_ms<0>,
                                 zg::send_timeout_ms<1000>, zg::recv_timeout_ms<1000>>;
}  // namespace

TEST_CASE("endpoint parsing refuses what does not fit its transport") {
  CHECK_NOTHROW(zg::endpoint<zg::tcp>("tcp://127.0.0.1:5555"));
  CHECK_NOTHROW(zg::endpoint<zg::tcp>("tcp://[::1]:*"));
  CHECK_THROWS_AS(zg::endpoint<zg::tcp>("ipc:///tmp/x"), zg::endpoint_error);
  CHECK_THROWS_AS(zg::endpoint<zg::tcp>("tcp://127.0.0.1"), zg::endpoint_error);
  CHECK_THROWS_AS(zg::endpoint<zg::tcp>("tcp://127.0.0.1:70000"), zg::endpoint_error);
  CHECK_THROWS_AS(zg::endpoint<zg::tcp>("tcp://127.0.0.1:0"), zg::endpoint_error);
  CHECK_THROWS_AS(zg::endpoint<zg::tcp>("tcp://host :1"), zg::endpoint_error);
  CHECK_THROWS_AS(zg::endpoint<zg::pgm>("pgm://eth0"), zg::endpoint_error);
  CHECK_NOTHROW(zg::endpoint<zg::epgm>("epgm://eth0;239.192.1.1:5555"));
  CHECK_NOTHROW(zg::endpoint<zg::inproc, test_domain>("inproc://jobs"));
  CHECK_THROWS_AS((zg::endpoint<zg::inproc, test_domain>("tcp://x:1")), zg::endpoint_error);
}

TEST_CASE("ipc endpoints: the path and its directory are checked") {
  temp_dir dir;
  auto const sock = (dir.path / "svc.sock").string();
  CHECK_NOTHROW(zg::endpoint<zg::ipc>("ipc://" + sock));
  CHECK_THROWS_WITH_AS(zg::endpoint<zg::ipc>("ipc://relative.sock"),
                       doctest::Contains("absolute path"), zg::endpoint_error);
  CHECK_THROWS_AS(zg::endpoint<zg::ipc>("ipc://@abstract"), zg::endpoint_error);
  CHECK_THROWS_WITH_AS(zg::endpoint<zg::ipc>("ipc:///" + std::string(200, 'a')),
                       doctest::Contains("longer than"), zg::endpoint_error);
  // /tmp is world-writable (sticky or not, another user may own a name there).
  CHECK_THROWS_WITH_AS(zg::endpoint<zg::ipc>("ipc:///tmp/zguard-test.sock"),
                       doctest::Contains("group/world-writable"), zg::endpoint_error);
  auto const open_dir = dir.path / "open";
  std::filesystem::create_directory(open_dir);
  ::chmod(open_dir.c_str(), 0770);
  CHECK_THROWS_WITH_AS(zg::endpoint<zg::ipc>("ipc://" + (open_dir / "s").string()),
                       doctest::Contains("group/world-writable"), zg::endpoint_error);
  // A symlinked directory on the way, and a symlink as the socket name.
  std::filesystem::create_directory_symlink(dir.path, dir.path / "link");
  CHECK_THROWS_WITH_AS(zg::endpoint<zg::ipc>("ipc://" + (dir.path / "link" / "s").string()),
                       doctest::Contains("symlink"), zg::endpoint_error);
  std::filesystem::create_symlink(dir.path / "elsewhere", dir.path / "s.lnk");
  CHECK_THROWS_WITH_AS(zg::endpoint<zg::ipc>("ipc://" + (dir.path / "s.lnk").string()),
                       doctest::Contains("symlink"), zg::endpoint_error);
  // A regular file is not replaced by a socket.
  { std::ofstream(dir.path / "data.txt") << "keep me"; }
  CHECK_THROWS_WITH_AS(zg::endpoint<zg::ipc>("ipc://" + (dir.path / "data.txt").string()),
                       doctest::Contains("not a socket"), zg::endpoint_error);
  CHECK_THROWS_AS(zg::endpoint<zg::ipc>("ipc://" + sock, 0606), zg::endpoint_error);
  CHECK_NOTHROW(zg::endpoint<zg::ipc>("ipc://" + sock, 0660));
  // libzmq reads the address as a C string: what follows a NUL would be
  // checked but never bound (fuzz/fuzz_endpoint.cpp checks it too).
  using namespace std::string_literals;
  CHECK_THROWS_WITH_AS(zg::endpoint<zg::ipc>("ipc://" + sock + "\0x"s),
                       doctest::Contains("control character at byte"), zg::endpoint_error);
  CHECK_THROWS_WITH_AS((zg::endpoint<zg::inproc, test_domain>("inproc://a\nb")),
                       doctest::Contains("control character at byte 10"), zg::endpoint_error);
}

TEST_CASE("ipc bind: the socket file has the declared mode and is removed on close") {
  captured_events seen;
  temp_dir dir;
  zg::context<test_domain> ctx(seen.sink());
  auto const path = dir.path / "pipeline.sock";
  {
    zg::socket<test_domain, zg::ipc, zg::pull, zg::null_mechanism, local_limits> pull(ctx);
    auto ep = pull.bind("ipc://" + path.string());
    struct stat st {};
    REQUIRE(::lstat(path.c_str(), &st) == 0);
    CHECK(S_ISSOCK(st.st_mode));
    CHECK((st.st_mode & 07777) == 0600);
    // Nothing of the private bind directory is left behind.
    int entries = 0;
    for ([[maybe_unused]] auto const& e : std::filesystem::directory_iterator(dir.path)) ++entries;
    CHECK(entries == 1);

    zg::socket<test_domain, zg::ipc, zg::push, zg::null_mechanism, local_limits> push(ctx);
    push.connect(ep);
    REQUIRE(push.send("over ipc"));
    auto got = pull.receive();
    REQUIRE(got);
    CHECK(got->to_string() == "over ipc");
  }
  CHECK_FALSE(std::filesystem::exists(path));

  // Group access when asked for.
  zg::socket<test_domain, zg::ipc, zg::pull, zg::null_mechanism, local_limits> shared(ctx);
  (void)shared.bind(zg::endpoint<zg::ipc>("ipc://" + path.string(), 0660));
  struct stat st {};
  REQUIRE(::lstat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0660);
}

TEST_CASE("PLAIN over ipc: passwords checked against crypto_pwhash_str hashes") {
  captured_events seen;
  temp_dir dir;
  zg::context<test_domain> ctx(seen.sink());
  zg::authenticator<test_domain> auth(ctx);
  auto const hash = zg::hash_password("correct horse battery staple");
  CHECK(hash.rfind("$argon2id$", 0) == 0);
  auth.add_user("alice", hash);
  CHECK_THROWS_WITH_AS(auth.add_user("bob", "plaintext"), doctest::Contains("crypto_pwhash_str"),
                       zg::authenticator_error);

  std::string endpoint;
  std::promise<std::string> bound;
  std::jthread server([&](std::stop_token stop) {
    zg::socket<test_domain, zg::ipc, zg::rep, zg::plain_server, local_limits> rep(ctx, auth);
    bound.set_value(rep.bind("ipc://" + (dir.path / "plain.sock").string()).address);
    rep.serve([](zmq::message_t const& m, zg::peer_info const& p) { return p.user_id + ":" + m.to_string(); },
              stop);
  });
  endpoint = bound.get_future().get();

  using plain_req = zg::socket<test_domain, zg::ipc, zg::req, zg::plain_client, local_limits>;
  plain_req good(ctx, zg::plain_credentials("alice", "correct horse battery staple"));
  good.connect(endpoint);
  auto reply = good.call("hi", 3);
  REQUIRE(reply);
  CHECK(reply->to_string() == "alice:hi");

  plain_req wrong(ctx, zg::plain_credentials("alice", "Tr0ub4dor&3"));
  wrong.connect(endpoint);
  CHECK_FALSE(wrong.call("hi", 1));
  plain_req nobody(ctx, zg::plain_credentials("mallory", "x"));
  nobody.connect(endpoint);
  CHECK_FALSE(nobody.call("hi", 1));
  REQUIRE(eventually([&] { return seen.named("zap.deny").size() >= 2; }));
  bool saw_wrong = false, saw_unknown = false;
  for (auto const& e : seen.named("zap.deny")) {
    saw_wrong |= e.field("reason") == "wrong password";
    saw_unknown |= e.field("reason") == "unknown user";
    CHECK(to_string(e).find("Tr0ub4dor") == std::string::npos);  // never log a password
  }
  CHECK(saw_wrong);
  CHECK(saw_unknown);
}

TEST_CASE("inproc sockets use endpoints typed by their domain") {
  captured_events seen;
  zg::context<test_domain> ctx(seen.sink());
  using pair_socket = zg::socket<test_domain, zg::inproc, zg::pair, zg::null_mechanism, inproc_limits>;
  pair_socket a(ctx), b(ctx);
  b.connect(a.bind(zg::endpoint<zg::inproc, test_domain>("inproc://typed")));
  REQUIRE(b.send("in process"));
  auto got = a.receive();
  REQUIRE(got);
  CHECK(got->to_string() == "in process");
}

TEST_CASE("insecure<reason> is visible: in the profile and as a start-up event") {
  captured_events seen;
  zg::context<test_domain> ctx(seen.sink());
  using lab = zg::socket<test_domain, zg::tcp, zg::pub, zg::insecure<"lab bench, public data">,
                         zg::limits<zg::send_hwm<10>, zg::recv_hwm<10>, zg::drop_when_full,
                                    zg::max_message_size<256>, zg::linger_ms<0>, zg::send_timeout_ms<0>,
                                    zg::recv_timeout_ms<0>, zg::handshake_timeout_ms<1000>>>;
  lab pub(ctx);
  CHECK(lab::profile().find("INSECURE") != std::string::npos);
  CHECK(lab::profile().find("lab bench, public data") != std::string::npos);
  auto events = seen.named("socket.insecure");
  REQUIRE(events.size() == 1);
  CHECK(events[0].field("reason") == "lab bench, public data");
  CHECK(curve_rep::profile().find("authenticator=required") != std::string::npos);
  CHECK(curve_rep::profile().find("max_message_size=4096") != std::string::npos);
}

TEST_CASE("a CURVE server refuses an authenticator of another context of the same domain") {
  captured_events seen;
  zg::context<test_domain> ctx(seen.sink()), other(seen.sink());
  zg::authenticator<test_domain> auth(other);
  auto keys = zg::keypair::generate();
  CHECK_THROWS_AS(curve_rep(ctx, auth, keys), zg::authenticator_error);
}
