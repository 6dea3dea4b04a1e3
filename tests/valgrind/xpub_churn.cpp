// Subscribers that subscribe and leave at once, against an authorized typed
// feed and an authorized forwarder's back, run under valgrind by ctest
// (valgrind.xpub_churn). libzmq 4.3.4's ZMQ_XPUB_MANUAL, which an authorized
// XPUB once used to apply subscriptions one by one, kept a pointer to the
// freed pipe of a subscriber that left before its subscription was read,
// and read it on the next send (valgrind: "Invalid read" under zmq_send).
// libzmq is not built with the sanitizers, so only valgrind sees that.
// Bounded: `rounds` subscribers per side, each living at most 300 ms.
#include <zguard/zguard.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>

namespace zg = zguard;
using namespace std::chrono_literals;

namespace {
struct tick {
  ZGUARD_SCHEMA("churn.tick", 1);
  BOOST_HANA_DEFINE_STRUCT(tick, (std::uint32_t, seq));
};
using D = zg::domain<"churn">;
using L = zg::limits<zg::send_hwm<1000>, zg::recv_hwm<1000>, zg::drop_when_full, zg::max_message_size<4096>,
                     zg::linger_ms<0>, zg::send_timeout_ms<100>, zg::recv_timeout_ms<100>,
                     zg::handshake_timeout_ms<5000>>;
using feed_socket = zg::socket<D, zg::tcp, zg::xpub, zg::curve_server, L, zg::topic<"churn.tick", tick>, zg::authorized>;
using relay_front = zg::socket<D, zg::tcp, zg::xsub, zg::curve_server, L, zg::authorized>;
using relay_back = zg::socket<D, zg::tcp, zg::xpub, zg::curve_server, L, zg::authorized>;

zmq::socket_t curve_socket(zmq::context_t& raw, zmq::socket_type type, zg::keypair const& me,
                           zg::public_key const& server) {
  zmq::socket_t s(raw, type);
  s.set(zmq::sockopt::linger, 0);
  s.set(zmq::sockopt::curve_serverkey, zmq::const_buffer(server.data(), 32));
  s.set(zmq::sockopt::curve_publickey, zmq::const_buffer(me.public_part().data(), 32));
  s.set(zmq::sockopt::curve_secretkey, zmq::const_buffer(me.secret_part().data(), 32));
  return s;
}

// Subscribers to `endpoint` that connect, subscribe and close, one after
// another, each after 0-300 ms (a CURVE handshake under valgrind takes tens
// of milliseconds): some close just as their handshake ends, so
// that their subscription and their departure reach the publisher together.
void churn(zg::keypair const& me, zg::public_key const& server, std::string const& endpoint, int rounds,
           std::atomic<int>& left) {
  zmq::context_t raw;
  for (int i = 0; i < rounds; ++i) {
    auto s = curve_socket(raw, zmq::socket_type::sub, me, server);
    s.set(zmq::sockopt::subscribe, "churn");
    s.connect(endpoint);
    std::this_thread::sleep_for(std::chrono::microseconds((i * 12347) % 300000));
  }
  --left;
}
}  // namespace

int main(int argc, char** argv) {
  int const rounds = argc > 1 ? std::atoi(argv[1]) : 60;
  zg::context<D> ctx([](zg::security_event const&) {});  // subscribers leaving mid-handshake are expected here
  zg::authenticator<D> auth(ctx);
  auto const server = zg::keypair::generate(), subscriber = zg::keypair::generate(), publisher = zg::keypair::generate();
  auth.allow(subscriber.public_part());
  auth.allow(publisher.public_part());
  zg::permission_set rules;
  rules.allow(zg::identity_kind::key, subscriber.public_part().z85(), zg::action::subscribe, ">");
  rules.allow(zg::identity_kind::key, publisher.public_part().z85(), zg::action::publish, ">");
  zg::permissions perms(std::move(rules));

  feed_socket feed(ctx, auth, server, perms);
  relay_front front(ctx, auth, server, perms);
  relay_back back(ctx, auth, server, perms);
  auto const feed_ep = feed.bind("tcp://127.0.0.1:*").address;
  auto const front_ep = front.bind("tcp://127.0.0.1:*").address;
  auto const back_ep = back.bind("tcp://127.0.0.1:*").address;
  zg::proxy<relay_front, relay_back> forwarder(ctx, front, back);
  zmq::context_t raw;
  auto pub = curve_socket(raw, zmq::socket_type::pub, publisher, server.public_part());
  pub.connect(front_ep);

  std::atomic<int> left{2};
  std::jthread feed_churn([&] { churn(subscriber, server.public_part(), feed_ep, rounds, left); });
  std::jthread back_churn([&] { churn(subscriber, server.public_part(), back_ep, rounds, left); });
  std::uint32_t seq = 0;
  auto const deadline = std::chrono::steady_clock::now() + 20min;  // valgrind is slow; the rounds end it
  while (left > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(5ms);  // subscriptions and departures pile up between sends
    (void)feed.readable();             // as a poll would: libzmq takes in what arrived meanwhile
    (void)feed.send(tick{++seq});
    (void)pub.send(zmq::str_buffer("churn.tick"), zmq::send_flags::sndmore | zmq::send_flags::dontwait);
    (void)pub.send(zmq::str_buffer("x"), zmq::send_flags::dontwait);
  }
  std::printf("xpub_churn: %d subscribers per side, %u sends\n", rounds, unsigned(seq));
  return left == 0 ? 0 : 1;
}
