// REQ/REP round trips over tcp loopback with CURVE: zguard's typed sockets
// next to raw cppzmq sockets with the same options, in the same run.
//
// usage: bench_reqrep [round_trips=20000] [rounds=5]
// The two run alternately, `rounds` times each; prints the median rate of
// each and the ratio zguard / raw (1.00 = no overhead).
#include <zguard/zguard.hpp>

#include "bench_support.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

namespace zg = zguard;
using bench = zg::domain<"bench">;
using L = zg::limits<zg::send_hwm<1000>, zg::recv_hwm<1000>, zg::block_when_full, zg::max_message_size<65536>,
                     zg::linger_ms<0>, zg::send_timeout_ms<5000>, zg::recv_timeout_ms<5000>,
                     zg::handshake_timeout_ms<5000>>;

namespace {

using bench_support::seconds_since;

// Raw cppzmq: CURVE server and client set by hand, echo in a thread.
double raw_round_trips(int n, std::size_t size, zg::keypair const& server, zg::keypair const& client) {
  zmq::context_t ctx;
  zmq::socket_t rep(ctx, zmq::socket_type::rep), req(ctx, zmq::socket_type::req);
  for (auto* s : {&rep, &req}) s->set(zmq::sockopt::linger, 0);
  rep.set(zmq::sockopt::curve_server, 1);
  rep.set(zmq::sockopt::curve_secretkey, zmq::const_buffer(server.secret_part().data(), 32));
  rep.bind("tcp://127.0.0.1:*");
  req.set(zmq::sockopt::curve_serverkey, zmq::const_buffer(server.public_part().data(), 32));
  req.set(zmq::sockopt::curve_publickey, zmq::const_buffer(client.public_part().data(), 32));
  req.set(zmq::sockopt::curve_secretkey, zmq::const_buffer(client.secret_part().data(), 32));
  req.connect(rep.get(zmq::sockopt::last_endpoint));
  std::thread echo([&] {
    zmq::message_t m;
    for (int i = 0; i < n + 1; ++i) {
      if (!rep.recv(m)) return;
      (void)rep.send(m, zmq::send_flags::none);
    }
  });
  std::string payload(size, 'x');
  zmq::message_t reply;
  (void)req.send(zmq::buffer(payload));  // warm-up: handshake
  (void)req.recv(reply);
  auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < n; ++i) {
    (void)req.send(zmq::buffer(payload));
    (void)req.recv(reply);
  }
  double s = seconds_since(t0);
  echo.join();
  return n / s;
}

double zguard_round_trips(int n, std::size_t size, zg::keypair const& server, zg::keypair const& client) {
  zg::context<bench> ctx;
  zg::authenticator<bench> auth(ctx);
  auth.allow(client.public_part());
  zg::socket<bench, zg::tcp, zg::rep, zg::curve_server, L> rep(ctx, auth, server);
  zg::socket<bench, zg::tcp, zg::req, zg::curve_client, L> req(ctx, client, server.public_part());
  req.connect(rep.bind("tcp://127.0.0.1:*"));
  std::thread echo([&] {
    for (int i = 0; i < n + 1; ++i) {
      auto m = rep.receive();
      if (!m || !rep.send(*m)) return;
    }
  });
  std::string payload(size, 'x');
  (void)req.call(payload, 1);  // warm-up: handshake and ZAP
  auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < n; ++i) (void)req.call(payload, 1);
  double s = seconds_since(t0);
  echo.join();
  return n / s;
}

}  // namespace

using bench_support::median;

int main(int argc, char** argv) {
  int const n = argc > 1 ? std::atoi(argv[1]) : 20000;
  int const rounds = argc > 2 ? std::max(1, std::atoi(argv[2])) : 5;
  auto server = zg::keypair::generate();
  auto client = zg::keypair::generate();
  std::printf("REQ/REP CURVE round trips over tcp loopback, %d per run, median of %d runs\n", n, rounds);
  std::printf("%-8s %14s %14s %8s\n", "payload", "raw cppzmq/s", "zguard/s", "ratio");
  for (std::size_t size : {64u, 1024u}) {
    std::vector<double> raw, ours;
    for (int r = 0; r < rounds; ++r) {
      raw.push_back(raw_round_trips(n, size, server, client));
      ours.push_back(zguard_round_trips(n, size, server, client));
    }
    std::printf("%-8zu %14.0f %14.0f %8.2f\n", size, median(raw), median(ours), median(ours) / median(raw));
  }
}
