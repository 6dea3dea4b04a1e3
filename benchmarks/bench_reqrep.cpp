// REQ/REP round trips over tcp loopback with CURVE: zguard's sockets next to
// raw cppzmq sockets with the same options, in the same run. Two cases:
//   frames: a zguard socket without a channel (send/receive/call of bytes)
//           against raw REQ/REP echoing the payload;
//   typed:  service<blob, blob> with call() and serve() (the handler returns
//           the request as the reply) against raw REQ/REP echoing the same
//           encoded bytes (64 B and 1 KiB are the encoded sizes).
//
// usage: bench_reqrep [round_trips=20000] [rounds=5] [--json]
// The two run alternately, `rounds` times each; prints the median rate of
// each and the ratio zguard / raw (1.00 = no overhead).
#include <zguard/zguard.hpp>

#include "bench_support.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <stop_token>
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

struct blob {
  ZGUARD_SCHEMA("bench.blob", 1);
  BOOST_HANA_DEFINE_STRUCT(blob, (std::uint32_t, seq), (zg::bounded_bytes<1024>, data));
};
using echo_service = zg::service<blob, blob>;

// A blob whose encoding is `size` bytes.
blob make_blob(std::uint32_t seq, std::size_t size) {
  blob b{};
  b.seq = seq;
  b.data = std::vector<std::uint8_t>(size - zg::encode(blob{}).size(), 0x5a);
  return b;
}

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
  zg::context<bench> ctx([](zg::security_event const&) {});  // events would mix with the figures
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

// Typed: call() on REQ, serve() on REP; the request comes back as the reply.
double typed_round_trips(int n, std::size_t size, zg::keypair const& server, zg::keypair const& client) {
  zg::context<bench> ctx([](zg::security_event const&) {});  // events would mix with the figures
  zg::authenticator<bench> auth(ctx);
  auth.allow(client.public_part());
  zg::socket<bench, zg::tcp, zg::rep, zg::curve_server, L, echo_service> rep(ctx, auth, server);
  zg::socket<bench, zg::tcp, zg::req, zg::curve_client, L, echo_service> req(ctx, client, server.public_part());
  req.connect(rep.bind("tcp://127.0.0.1:*"));
  std::stop_source stop;
  std::thread serving([&] {
    int served = 0;
    rep.serve(
        [&](blob const& request, zg::peer_info const&) {
          if (++served == n + 1) stop.request_stop();
          return request;
        },
        stop.get_token());
  });
  auto request = make_blob(0, size);
  bool ok = bool(req.call(request, 1));  // warm-up: handshake and ZAP
  auto t0 = std::chrono::steady_clock::now();
  for (int i = 1; i <= n; ++i) {
    request.seq = std::uint32_t(i);
    auto reply = req.call(request, 1);
    ok = ok && reply && reply->seq == request.seq;
  }
  double s = seconds_since(t0);
  stop.request_stop();  // normally done by the handler; bounds the wait if a request was lost
  serving.join();
  if (!ok) std::fprintf(stderr, "bench_reqrep: a typed call failed\n");
  return n / s;
}

}  // namespace

using bench_support::median;

int main(int argc, char** argv) {
  bool const json = bench_support::take_json_flag(argc, argv);
  int const n = argc > 1 ? std::atoi(argv[1]) : 20000;
  int const rounds = argc > 2 ? std::max(1, std::atoi(argv[2])) : 5;
  auto server = zg::keypair::generate();
  auto client = zg::keypair::generate();
  if (!json) {
    std::printf("REQ/REP CURVE round trips over tcp loopback, %d per run, median of %d runs\n", n, rounds);
    std::printf("%-8s %-8s %14s %14s %8s\n", "case", "payload", "raw cppzmq/s", "zguard/s", "ratio");
  }
  auto report = [&](char const* which, std::size_t size, std::vector<double> const& raw,
                    std::vector<double> const& ours) {
    if (json)
      bench_support::json_row()
          .compare(std::string("reqrep/") + which + "/" + std::to_string(size), size, median(raw), median(ours))
          .str("unit", "round trips/s")
          .str("transport", "tcp+curve")
          .integer("round_trips", n)
          .integer("runs", rounds)
          .print();
    else
      std::printf("%-8s %-8zu %14.0f %14.0f %8.2f\n", which, size, median(raw), median(ours),
                  median(ours) / median(raw));
  };
  for (std::size_t size : {64u, 1024u}) {
    std::vector<double> raw, ours;
    for (int r = 0; r < rounds; ++r) {
      raw.push_back(raw_round_trips(n, size, server, client));
      ours.push_back(zguard_round_trips(n, size, server, client));
    }
    report("frames", size, raw, ours);
  }
  for (std::size_t size : {64u, 1024u}) {
    std::vector<double> raw, ours;
    for (int r = 0; r < rounds; ++r) {
      raw.push_back(raw_round_trips(n, size, server, client));
      ours.push_back(typed_round_trips(n, size, server, client));
    }
    report("typed", size, raw, ours);
  }
}
