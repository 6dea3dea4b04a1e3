// Connection settings (connection.hpp): heartbeats, reconnect back-off, TCP
// keepalive, connect timeout, immediate and conflate. Every value, declared
// or defaulted, is read back from libzmq after construction and printed in
// the profile; a dead peer is noticed by the heartbeat over real tcp;
// conflate keeps the latest message (a signed stream sees a sequence gap
// and accepts it); a setting changed behind zguard's back stops bind and
// connect. Values are read through zguard's internal accessor, standing in
// for anything that could reach the handle.
#include "schemas.hpp"
#include "support.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <optional>
#include <string>

using namespace zguard_test;
namespace zg = zguard;

namespace {

using net_limits = zg::limits<zg::send_hwm<100>, zg::recv_hwm<100>, zg::block_when_full, zg::max_message_size<4096>,
                              zg::linger_ms<0>, zg::send_timeout_ms<100>, zg::recv_timeout_ms<500>,
                              zg::handshake_timeout_ms<2000>>;
using tuned_limits =
    zg::limits<zg::send_hwm<100>, zg::recv_hwm<100>, zg::block_when_full, zg::max_message_size<4096>, zg::linger_ms<0>,
               zg::send_timeout_ms<100>, zg::recv_timeout_ms<500>, zg::handshake_timeout_ms<2000>,
               zg::heartbeat<200, 500, 1000>, zg::reconnect<50, 800>, zg::tcp_keepalive<30, 5, 3>,
               zg::connect_timeout_ms<1500>, zg::immediate, zg::conflate>;
using conflating_inproc = zg::limits<zg::send_hwm<100>, zg::recv_hwm<100>, zg::block_when_full, zg::linger_ms<0>,
                                     zg::send_timeout_ms<100>, zg::recv_timeout_ms<300>, zg::conflate>;
using immediate_limits =
    zg::limits<zg::send_hwm<100>, zg::recv_hwm<100>, zg::block_when_full, zg::max_message_size<4096>, zg::linger_ms<0>,
               zg::send_timeout_ms<100>, zg::recv_timeout_ms<500>, zg::handshake_timeout_ms<2000>, zg::immediate>;
using topic_limits = zg::limits<zg::send_hwm<100>, zg::recv_hwm<100>, zg::drop_when_full, zg::max_message_size<4096>,
                                zg::linger_ms<0>, zg::send_timeout_ms<100>, zg::recv_timeout_ms<500>,
                                zg::handshake_timeout_ms<2000>>;

using lab = zg::insecure<"loopback test of connection settings">;
using tcp_pull = zg::socket<test_domain, zg::tcp, zg::pull, lab, net_limits, zg::stream<order>>;
using tuned_push = zg::socket<test_domain, zg::tcp, zg::push, lab, tuned_limits, zg::stream<order>>;
using ipc_push = zg::socket<test_domain, zg::ipc, zg::push, zg::null_mechanism, net_limits, zg::stream<order>>;
using inproc_push = zg::socket<test_domain, zg::inproc, zg::push, zg::null_mechanism, inproc_limits, zg::stream<order>>;
using tcp_pub = zg::socket<test_domain, zg::tcp, zg::pub, lab, topic_limits, zg::topic<"ticks", tick>>;

template <class S>
int option(S& s, int name) {
  int v = 0;
  std::size_t n = sizeof v;
  REQUIRE(zmq_getsockopt(zg::detail::socket_access::handle(s), name, &v, &n) == 0);
  return v;
}
template <class S>
void set_option(S& s, int name, int v) {
  REQUIRE(zmq_setsockopt(zg::detail::socket_access::handle(s), name, &v, sizeof v) == 0);
}
bool has(std::string const& text, std::string const& part) { return text.find(part) != std::string::npos; }

// A ZMTP 3.1 peer written by hand over a plain TCP socket: it greets with
// NULL, says READY as a PUSH, and then never sends another byte, not even
// a PONG. Its kernel keeps the connection open (every segment is ACKed),
// so only the heartbeat can tell that nobody is there.
class silent_zmtp_peer {
 public:
  explicit silent_zmtp_peer(std::string const& endpoint) {
    int const port = std::stoi(endpoint.substr(endpoint.rfind(':') + 1));
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(fd_ >= 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(std::uint16_t(port));
    REQUIRE(::inet_pton(AF_INET, "127.0.0.1", &a.sin_addr) == 1);
    REQUIRE(::connect(fd_, reinterpret_cast<sockaddr const*>(&a), sizeof a) == 0);
    std::string out(64, '\0');  // signature, version 3.1, "NULL", as-server 0, filler
    out[0] = '\xff';
    out[9] = '\x7f';
    out[10] = 3;
    out[11] = 1;
    std::memcpy(&out[12], "NULL", 4);
    std::string const ready = std::string("\x05READY\x0bSocket-Type", 18) + std::string("\0\0\0\x04PUSH", 8);
    out += '\x04';  // a short command
    out += char(ready.size());
    out += ready;
    REQUIRE(::send(fd_, out.data(), out.size(), MSG_NOSIGNAL) == ssize_t(out.size()));
  }
  ~silent_zmtp_peer() { ::close(fd_); }
  silent_zmtp_peer(silent_zmtp_peer const&) = delete;
  silent_zmtp_peer& operator=(silent_zmtp_peer const&) = delete;

  // Reads until `what` and `extra` more bytes arrived; the bytes after
  // `what`, or nullopt on end of stream or after 10 s.
  std::optional<std::string> read_past(std::string const& what, std::size_t extra) {
    for (int i = 0; i < 100; ++i) {
      if (auto at = in_.find(what); at != std::string::npos && in_.size() >= at + what.size() + extra)
        return in_.substr(at + what.size(), extra);
      if (!read_some(100)) return std::nullopt;
    }
    return std::nullopt;
  }
  // Whether the other side closed the connection within `tries` x 100 ms.
  bool closed_by_other_side(int tries) {
    for (int i = 0; i < tries; ++i)
      if (!read_some(100)) return eof_;
    return false;
  }

 private:
  // False on end of stream or error.
  bool read_some(int timeout_ms) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, timeout_ms) <= 0) return true;
    char buf[512];
    auto n = ::recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) {
      eof_ = true;
      return false;
    }
    in_.append(buf, std::size_t(n));
    return true;
  }
  int fd_ = -1;
  std::string in_;
  bool eof_ = false;
};

}  // namespace

TEST_CASE("connection settings: zguard's defaults are applied, read back and shown where each applies") {
  zg::context<test_domain> ctx;
  using defaults = zg::connection_defaults::heartbeat;
  tcp_pull pull(ctx);
  CHECK(option(pull, ZMQ_HEARTBEAT_IVL) == defaults::interval_ms);
  CHECK(option(pull, ZMQ_HEARTBEAT_TIMEOUT) == defaults::timeout_ms);
  CHECK(option(pull, ZMQ_HEARTBEAT_TTL) == defaults::ttl_ms);
  CHECK(option(pull, ZMQ_RECONNECT_IVL) == zg::connection_defaults::reconnect::interval_ms);
  CHECK(option(pull, ZMQ_RECONNECT_IVL_MAX) == zg::connection_defaults::reconnect::max_ms);
  CHECK(option(pull, ZMQ_TCP_KEEPALIVE) == 0);  // off, set: not the system's choice
  CHECK(option(pull, ZMQ_CONNECT_TIMEOUT) == zg::connection_defaults::connect_timeout::value);
  CHECK(option(pull, ZMQ_IMMEDIATE) == 0);
  CHECK(option(pull, ZMQ_CONFLATE) == 0);
  auto const p = tcp_pull::profile();
  CHECK(has(p, "; heartbeat=ivl 5000 ms, timeout 15000 ms, ttl 15000 ms (default)"));
  CHECK(has(p, "; reconnect=100..2000 ms (default)"));
  CHECK(has(p, "; tcp_keepalive=off (default)"));
  CHECK(has(p, "; connect_timeout_ms=5000 (default)"));
  CHECK(has(p, "; immediate=off; conflate=off"));
  CHECK(pull.bind("tcp://127.0.0.1:*").address.starts_with("tcp://"));  // the defaults pass the read-back

  temp_dir dir;
  ipc_push ipc(ctx);
  CHECK(option(ipc, ZMQ_HEARTBEAT_IVL) == defaults::interval_ms);
  CHECK(option(ipc, ZMQ_RECONNECT_IVL_MAX) == zg::connection_defaults::reconnect::max_ms);
  CHECK(option(ipc, ZMQ_TCP_KEEPALIVE) == -1);  // a TCP option: not set on ipc
  CHECK(option(ipc, ZMQ_CONNECT_TIMEOUT) == 0);
  CHECK(has(ipc_push::profile(), "heartbeat=ivl 5000 ms"));
  CHECK_FALSE(has(ipc_push::profile(), "tcp_keepalive"));
  CHECK_FALSE(has(ipc_push::profile(), "connect_timeout_ms"));
  (void)ipc.bind("ipc://" + (dir.path / "d.sock").string());

  inproc_push inproc(ctx);  // no connection to lose: no heartbeat, no reconnect
  CHECK(option(inproc, ZMQ_HEARTBEAT_IVL) == 0);
  CHECK_FALSE(has(inproc_push::profile(), "heartbeat"));
  CHECK_FALSE(has(inproc_push::profile(), "reconnect"));
  CHECK(has(inproc_push::profile(), "; immediate=off; conflate=off"));
}

TEST_CASE("connection settings: declared values are applied, read back and shown") {
  zg::context<test_domain> ctx;
  tuned_push push(ctx);
  CHECK(option(push, ZMQ_HEARTBEAT_IVL) == 200);
  CHECK(option(push, ZMQ_HEARTBEAT_TIMEOUT) == 500);
  CHECK(option(push, ZMQ_HEARTBEAT_TTL) == 1000);  // kept in deciseconds: a multiple of 100 reads back whole
  CHECK(option(push, ZMQ_RECONNECT_IVL) == 50);
  CHECK(option(push, ZMQ_RECONNECT_IVL_MAX) == 800);
  CHECK(option(push, ZMQ_TCP_KEEPALIVE) == 1);
  CHECK(option(push, ZMQ_TCP_KEEPALIVE_IDLE) == 30);
  CHECK(option(push, ZMQ_TCP_KEEPALIVE_INTVL) == 5);
  CHECK(option(push, ZMQ_TCP_KEEPALIVE_CNT) == 3);
  CHECK(option(push, ZMQ_CONNECT_TIMEOUT) == 1500);
  CHECK(option(push, ZMQ_IMMEDIATE) == 1);
  CHECK(option(push, ZMQ_CONFLATE) == 1);
  auto const p = tuned_push::profile();
  CHECK(has(p, "; heartbeat=ivl 200 ms, timeout 500 ms, ttl 1000 ms;"));
  CHECK(has(p, "; reconnect=50..800 ms;"));
  CHECK(has(p, "; tcp_keepalive=idle 30 s, interval 5 s, count 3;"));
  CHECK(has(p, "; connect_timeout_ms=1500;"));
  CHECK(has(p, "; immediate=on (queues only to completed connections)"));
  CHECK(has(p, "; conflate=on (keeps only the latest message)"));
  CHECK_FALSE(has(p, "(default)"));
  push.connect("tcp://127.0.0.1:5999");  // the declared values pass the read-back

  using constant = zg::socket<test_domain, zg::tcp, zg::pull, lab,
                              zg::limits<zg::send_hwm<10>, zg::recv_hwm<10>, zg::block_when_full,
                                         zg::max_message_size<4096>, zg::linger_ms<0>, zg::send_timeout_ms<0>,
                                         zg::recv_timeout_ms<0>, zg::handshake_timeout_ms<1000>,
                                         zg::reconnect<250, 250>>>;
  constant pull(ctx);
  CHECK(option(pull, ZMQ_RECONNECT_IVL_MAX) == 250);
  CHECK(has(constant::profile(), "; reconnect=250 ms (no back-off);"));
}

TEST_CASE("the security_profiles example shows the connection settings of every socket") {
  auto [rc, text] = run_command(std::string(ZGUARD_EXAMPLES_DIR) + "/security_profiles");
  REQUIRE(rc == 0);
  INFO(text);
  CHECK(has(text, "heartbeat=ivl 5000 ms, timeout 15000 ms, ttl 15000 ms (default)"));
  CHECK(has(text, "reconnect=100..2000 ms (default)"));
  CHECK(has(text, "tcp_keepalive=off (default)"));
  CHECK(has(text, "conflate=off"));
}

TEST_CASE("heartbeat: a peer that stops answering PINGs over tcp is disconnected") {
  captured_events seen;
  zg::context<test_domain> ctx(seen.sink());
  using watchful = zg::socket<test_domain, zg::tcp, zg::pull, lab,
                              zg::limits<zg::send_hwm<10>, zg::recv_hwm<10>, zg::block_when_full,
                                         zg::max_message_size<4096>, zg::linger_ms<0>, zg::send_timeout_ms<100>,
                                         zg::recv_timeout_ms<100>, zg::handshake_timeout_ms<2000>,
                                         zg::heartbeat<200, 500, 1000>>,
                              zg::stream<order>>;
  watchful pull(ctx);
  auto ep = pull.bind("tcp://127.0.0.1:*");
  silent_zmtp_peer peer(ep.address);
  // The PING carries our TTL in deciseconds: the peer is told to give up
  // on us after 1000 ms of silence.
  auto ttl = peer.read_past(std::string("\x04PING", 5), 2);
  REQUIRE(ttl);
  CHECK(std::uint8_t((*ttl)[0]) * 256 + std::uint8_t((*ttl)[1]) == 10);
  // Unanswered, the connection is closed (generous bound: 200 + 500 ms).
  CHECK(peer.closed_by_other_side(100));
  CHECK(eventually([&] { return ctx.events().count("peer.disconnected") >= 1; }));  // a notice: counted
  CHECK(ctx.events().count("handshake.succeeded") == 1);  // it was a whole ZMTP connection
}

TEST_CASE("immediate: a connecting socket queues nothing for a peer that is not there") {
  captured_events seen;
  zg::context<test_domain> ctx(seen.sink());
  // Port 1 on loopback: nothing listens, the connection never completes.
  zg::socket<test_domain, zg::tcp, zg::push, lab, immediate_limits, zg::stream<order>> strict(ctx);
  strict.connect("tcp://127.0.0.1:1");
  CHECK_FALSE(strict.send(sample_order()));  // waits send_timeout_ms, then gives up
  CHECK(seen.named("send.timeout").size() == 1);
  zg::socket<test_domain, zg::tcp, zg::push, lab, net_limits, zg::stream<order>> queueing(ctx);
  queueing.connect("tcp://127.0.0.1:1");
  CHECK(queueing.send(sample_order()));  // libzmq's default: queued for the pending connection
}

TEST_CASE("conflate: a typed stream keeps only the latest message") {
  zg::context<test_domain> ctx;
  zg::socket<test_domain, zg::inproc, zg::push, zg::null_mechanism, inproc_limits, zg::stream<order>> push(ctx);
  zg::socket<test_domain, zg::inproc, zg::pull, zg::null_mechanism, conflating_inproc, zg::stream<order>> pull(ctx);
  // On inproc the connecting side's conflate makes the pipe.
  pull.connect(push.bind(zg::endpoint<zg::inproc, test_domain>("inproc://conflated-orders")));
  for (std::uint64_t i = 1; i <= 10; ++i) REQUIRE(push.send(numbered_order(i)));
  auto got = pull.receive<order>();
  REQUIRE(got);
  CHECK(got->value.id == 10);
  CHECK_FALSE(pull.receive<order>());  // 1..9 are gone
}

TEST_CASE("conflate: a signed stream sees a sequence gap, which the verifier accepts") {
  captured_events seen;
  zg::context<test_domain> ctx(seen.sink());
  using mac = zg::signing<zg::blake2b_mac>;
  auto group = zg::signing_key<zg::blake2b_mac>::generate();
  zg::verify_keys<zg::blake2b_mac> keys;
  keys.add(group);
  using signed_push =
      zg::socket<test_domain, zg::inproc, zg::push, zg::null_mechanism, inproc_limits, zg::stream<order>, mac>;
  using conflating_pull =
      zg::socket<test_domain, zg::inproc, zg::pull, zg::null_mechanism, conflating_inproc, zg::stream<order>, mac>;
  signed_push push(ctx, group);
  conflating_pull pull(ctx, keys);
  pull.connect(push.bind(zg::endpoint<zg::inproc, test_domain>("inproc://conflated-signed")));
  for (int i = 0; i < 10; ++i) REQUIRE(push.send(sample_order()));
  auto first = pull.receive<order>();
  REQUIRE(first);
  CHECK(first->origin.sequence == 10);  // 1..9 dropped unseen: the first message seen is the 10th
  for (int i = 0; i < 2; ++i) REQUIRE(push.send(sample_order()));
  auto next = pull.receive<order>();
  REQUIRE(next);
  CHECK(next->origin.sequence == 12);  // 11 dropped: a gap, not a refusal
  for (auto const& e : *seen.events) CHECK_FALSE(e.name.starts_with("verify."));
}

TEST_CASE("connection settings changed behind zguard's back stop bind and connect") {
  captured_events seen;
  zg::context<test_domain> ctx(seen.sink());
  // Sets one option through the raw handle, then binds or connects: the
  // option socket.tampered names.
  auto tampered = [&](auto& s, int name, int value, bool bind) {
    set_option(s, name, value);
    if (bind) CHECK_THROWS_AS((void)s.bind("tcp://127.0.0.1:*"), zg::socket_error);
    else CHECK_THROWS_AS(s.connect("tcp://127.0.0.1:5999"), zg::socket_error);
    auto events = seen.named("socket.tampered");
    REQUIRE(events.size() == 1);
    return std::string(events[0].field("option"));
  };
  tcp_pull pull(ctx);
  tuned_push push(ctx);
  tcp_pub pub(ctx);
  SUBCASE("heartbeats turned off") { CHECK(tampered(pull, ZMQ_HEARTBEAT_IVL, 0, true) == "heartbeat interval"); }
  SUBCASE("heartbeat ttl") { CHECK(tampered(pull, ZMQ_HEARTBEAT_TTL, 0, true) == "heartbeat ttl"); }
  SUBCASE("reconnect turned off") { CHECK(tampered(push, ZMQ_RECONNECT_IVL, -1, false) == "reconnect interval"); }
  SUBCASE("keepalive left to the system") { CHECK(tampered(pull, ZMQ_TCP_KEEPALIVE, -1, false) == "tcp_keepalive"); }
  SUBCASE("keepalive probes") { CHECK(tampered(push, ZMQ_TCP_KEEPALIVE_CNT, 1000, false) == "tcp_keepalive count"); }
  SUBCASE("connect timeout") { CHECK(tampered(pull, ZMQ_CONNECT_TIMEOUT, 0, false) == "connect_timeout_ms"); }
  SUBCASE("immediate") { CHECK(tampered(push, ZMQ_IMMEDIATE, 0, false) == "immediate"); }
  SUBCASE("conflate on a topic publisher (it would drop the topic frame)") {
    CHECK(tampered(pub, ZMQ_CONFLATE, 1, true) == "conflate");
  }
}
