// Proof values and ipc paths: what stands for "zguard checked this"
// (bound_endpoint, received/verified/routed, keys) is made only by zguard and
// cannot be changed afterwards; ipc paths are checked from '/' down; inproc
// names that libzmq or zguard use internally cannot be taken.
#include "schemas.hpp"
#include "support.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <type_traits>

using namespace zguard_test;
namespace fs = std::filesystem;

namespace {
using ipc_limits = zg::limits<zg::send_hwm<100>, zg::recv_hwm<100>, zg::block_when_full,
                              zg::max_message_size<4096>, zg::linger_ms<0>, zg::send_timeout_ms<1000>,
                              zg::recv_timeout_ms<500>, zg::handshake_timeout_ms<2000>>;
using ipc_rep = zg::socket<test_domain, zg::ipc, zg::rep, zg::null_mechanism, ipc_limits>;
using ipc_req = zg::socket<test_domain, zg::ipc, zg::req, zg::null_mechanism, ipc_limits>;
using bound_t = zg::bound_endpoint<test_domain, zg::ipc, zg::rep, zg::null_mechanism>;

// What stands for "zguard checked this" cannot be edited in place (the
// compile-fail cases proof_*.fail.cpp show that making or assigning one by
// hand stops with zguard's own diagnostic).
template <class B>
concept address_editable = requires(B& b) { b.address = std::string("ipc:///tmp/squat.sock"); };
template <class V>
concept value_editable = requires(V& v) { v.value.seq = 1u; };
template <class V>
concept peer_editable = requires(V& v) { v.peer.user_id = std::string("admin-key"); };
template <class V>
concept origin_editable = requires(V& v) { v.origin.sequence = 1u; };
template <class V>
concept handle_editable = requires(V& v, zg::peer_handle const& other) { v.from = other; };

static_assert(!std::is_aggregate_v<bound_t> && !address_editable<bound_t>);
static_assert(std::is_copy_constructible_v<bound_t>);  // passing one around is fine
static_assert(!std::is_aggregate_v<zg::received<tick>> && !value_editable<zg::received<tick>> &&
              !peer_editable<zg::received<tick>>);
static_assert(!std::is_aggregate_v<zg::verified<tick>> && !value_editable<zg::verified<tick>> &&
              !peer_editable<zg::verified<tick>> && !origin_editable<zg::verified<tick>>);
static_assert(!std::is_aggregate_v<zg::routed<tick>> && !value_editable<zg::routed<tick>> &&
              !peer_editable<zg::routed<tick>> && !origin_editable<zg::routed<tick>> &&
              !handle_editable<zg::routed<tick>>);
// The library's own constructors are not reachable with their exact argument
// types either.
static_assert(!std::is_constructible_v<zg::received<tick>, tick, zg::peer_info>);
static_assert(!std::is_constructible_v<zg::verified<tick>, tick, zg::signed_origin, zg::peer_info>);
static_assert(!std::is_constructible_v<zg::routed<tick>, tick, zg::peer_info, zg::peer_handle, zg::signed_origin>);
// Copies are allowed: a copy carries the same checked facts.
static_assert(std::is_copy_constructible_v<zg::verified<tick>> && std::is_copy_constructible_v<zg::routed<tick>>);

bool running_as_root() { return ::geteuid() == 0; }

// An ipc REP that anyone may reach, answering every request with `reply`:
// the squatter. Raw libzmq: nothing zguard would check.
struct squatter {
  zmq::context_t ctx;
  zmq::socket_t rep{ctx, zmq::socket_type::rep};
  std::string address;
  explicit squatter(std::string addr) : address(std::move(addr)) {
    rep.set(zmq::sockopt::linger, 0);
    rep.set(zmq::sockopt::rcvtimeo, 200);
    rep.bind(address);
  }
  // Answers at most one request; true when one came.
  bool answer_one() {
    zmq::message_t m;
    if (!rep.recv(m)) return false;
    (void)rep.send(zmq::str_buffer("forged"), zmq::send_flags::none);
    return true;
  }
};
}  // namespace

TEST_CASE("proofs: a bound_endpoint comes only from bind(), so no client reaches a squatter's ipc socket") {
  zg::context<test_domain> ctx;
  temp_dir dir;
  // The squatter sits in /tmp (world-writable, sticky) and in a private
  // directory below an ancestor anyone may rename entries in.
  squatter in_tmp("ipc:///tmp/zguard-squat-" + std::to_string(::getpid()) + ".sock");
  auto const open = make_dir(dir.path / "open", 0777);
  auto const inner = make_dir(open / "inner", 0700);
  squatter below_open("ipc://" + (inner / "s.sock").string());

  ipc_req client(ctx);
  // connect(text) checks the path: both squatters are refused, naming the place.
  CHECK_THROWS_WITH_AS(client.connect(in_tmp.address), doctest::Contains("'/tmp'"), zg::endpoint_error);
  CHECK_THROWS_WITH_AS(client.connect(below_open.address), contains("'" + open.string() + "'"),
                       zg::endpoint_error);
  // No bound_endpoint for those addresses either: bind() is the only maker
  // and it refuses them the same way.
  ipc_rep server(ctx);
  CHECK_THROWS_AS((void)server.bind(in_tmp.address), zg::endpoint_error);
  CHECK_THROWS_AS((void)server.bind(below_open.address), zg::endpoint_error);
  CHECK_FALSE(in_tmp.answer_one());
  CHECK_FALSE(below_open.answer_one());

  // The real thing: a private directory, bound by zguard, reached by the
  // bound_endpoint bind() gave.
  auto const home = make_dir(dir.path / "svc", 0700);
  bound_t const ep = server.bind("ipc://" + (home / "svc.sock").string());
  CHECK(ep.address == "ipc://" + (home / "svc.sock").string());
  bound_t const copy = ep;  // copies carry the same, unchangeable address
  client.connect(copy);
  REQUIRE(client.send("hello"));
  auto req = server.receive();
  REQUIRE(req);
  CHECK(req->to_string() == "hello");
  REQUIRE(server.send("genuine"));
  auto rep = client.receive();
  REQUIRE(rep);
  CHECK(rep->to_string() == "genuine");

  // connect(bound) checks the path again: an ancestor opened to others since
  // bind() is refused (someone could have swapped the directory).
  REQUIRE(::chmod(dir.path.c_str(), 0777) == 0);
  ipc_req late(ctx);
  CHECK_THROWS_WITH_AS(late.connect(ep), doctest::Contains("sticky"), zg::endpoint_error);
  REQUIRE(::chmod(dir.path.c_str(), 0700) == 0);
}

TEST_CASE("proofs: ipc paths are checked from / down, as OpenSSH's safe_path") {
  zg::context<test_domain> ctx;
  temp_dir dir;
  auto ep = [](fs::path const& p) { return "ipc://" + p.string(); };

  // An ancestor anyone may write to without the sticky bit: a local user
  // renames the private directory away and puts their own in its place.
  auto const open = make_dir(dir.path / "open", 0777);
  auto const priv = make_dir(open / "priv", 0700);
  CHECK_THROWS_WITH_AS(zg::endpoint<zg::ipc>(ep(priv / "s.sock")),
                       contains("'" + open.string() + "' is writable by others without the sticky bit"),
                       zg::endpoint_error);
  auto const group = make_dir(dir.path / "group", 0770);
  make_dir(group / "priv", 0700);
  CHECK_THROWS_WITH_AS(zg::endpoint<zg::ipc>(ep(group / "priv" / "s.sock")),
                       contains("'" + group.string() + "'"), zg::endpoint_error);

  // With the sticky bit (as /tmp) only an entry's owner may rename it: fine
  // as an ancestor, as long as the socket's own directory is private.
  auto const sticky = make_dir(dir.path / "sticky", 01777);
  auto const mine = make_dir(sticky / "mine", 0700);
  CHECK_NOTHROW(zg::endpoint<zg::ipc>(ep(mine / "s.sock")));
  CHECK_THROWS_WITH_AS(zg::endpoint<zg::ipc>(ep(sticky / "s.sock")), doctest::Contains("group/world-writable"),
                       zg::endpoint_error);
  {  // and over a real socket
    ipc_rep server(ctx);
    auto bound = server.bind(ep(mine / "s.sock"));
    ipc_req client(ctx);
    client.connect(bound);
    REQUIRE(client.send("ping"));
    REQUIRE(server.receive());
    REQUIRE(server.send("ok"));
    auto reply = client.receive();
    REQUIRE(reply);
    CHECK(reply->to_string() == "ok");
  }

  // A symlink anywhere on the way, not only as the last directory.
  auto const real = make_dir(dir.path / "real", 0700);
  make_dir(real / "inner", 0700);
  fs::create_directory_symlink(real, dir.path / "alias");
  CHECK_THROWS_WITH_AS(zg::endpoint<zg::ipc>(ep(dir.path / "alias" / "inner" / "s.sock")),
                       contains("'" + (dir.path / "alias").string() + "' is a symlink"), zg::endpoint_error);
  // "." and ".." hide where a path leads.
  CHECK_THROWS_WITH_AS(zg::endpoint<zg::ipc>(ep(real / ".." / "real" / "s.sock")), doctest::Contains("'..'"),
                       zg::endpoint_error);

  // Directories owned by someone else (neither root nor this user): their
  // owner can replace what is below them. Needs root to make one.
  if (running_as_root()) {
    auto const theirs = make_dir(dir.path / "theirs", 0755);
    make_dir(theirs / "priv", 0700);
    REQUIRE(::chown(theirs.c_str(), 65534, 65534) == 0);
    CHECK_THROWS_WITH_AS(zg::endpoint<zg::ipc>(ep(theirs / "priv" / "s.sock")),
                         contains("'" + theirs.string() + "' is owned by uid 65534"), zg::endpoint_error);
    auto const their_parent = make_dir(dir.path / "their-parent", 0700);
    REQUIRE(::chown(their_parent.c_str(), 65534, 65534) == 0);
    CHECK_THROWS_WITH_AS(zg::endpoint<zg::ipc>(ep(their_parent / "s.sock")),
                         doctest::Contains("owned by uid 65534"), zg::endpoint_error);
  } else {
    MESSAGE("not root: the other-owner cases need chown and are skipped");
  }
}

TEST_CASE("proofs: inproc names libzmq and zguard use inside a context are refused") {
  using inproc_ep = zg::endpoint<zg::inproc, test_domain>;
  // A socket bound or connected there could pose as the ZAP handler or read
  // another socket's monitor events.
  CHECK_THROWS_WITH_AS(inproc_ep("inproc://zeromq.zap.01"), doctest::Contains("reserved"), zg::endpoint_error);
  CHECK_THROWS_WITH_AS(inproc_ep("inproc://zeromq.zap.02"), doctest::Contains("reserved"), zg::endpoint_error);
  CHECK_THROWS_WITH_AS(inproc_ep("inproc://zguard.monitor.0"), doctest::Contains("reserved"), zg::endpoint_error);
  CHECK_THROWS_WITH_AS(inproc_ep("inproc://zguard-proxy-control-1"), doctest::Contains("reserved"),
                       zg::endpoint_error);
  CHECK_NOTHROW(inproc_ep("inproc://zguardian"));
  CHECK_NOTHROW(inproc_ep("inproc://jobs.zeromq.zap.01"));
}

TEST_CASE("proofs: keys are checked when made") {
  // An all-zero (small-order) CURVE public key makes the shared secret known
  // to everyone; libzmq would fail every handshake without saying why.
  CHECK_THROWS_WITH_AS(zg::public_key::from_z85(std::string(40, '0')), doctest::Contains("small-order"),
                       zg::key_error);
  // A keypair whose public part is not its secret's.
  auto a = zg::keypair::generate();
  auto b = zg::keypair::generate();
  char sec[41];
  a.secret_part().write_z85(sec);
  CHECK_THROWS_WITH_AS(zg::keypair(b.public_part(), zg::secret_key::from_z85(sec)),
                       doctest::Contains("does not match"), zg::key_error);
  sodium_memzero(sec, sizeof sec);
}
