// Secure RPC, one synchronous client: zguard's typed call() (REQ/REP over
// CURVE on tcp loopback, the service's authenticator allowing the client's
// key) next to a gRPC unary call over TLS with client certificates (mutual
// TLS, ECDSA P-256 certificates from tls_certs.hpp), in one run, rounds
// alternating. Both services echo the request; the payload is the same
// sequence number and bytes (64 B and 1 KiB: zguard's encoded message, and
// as many bytes of data in the gRPC message).
//
// usage: bench_grpc [calls=10000] [rounds=5] [--json]
// Prints the median calls/s of each and the ratio zguard / gRPC, with each
// side's p50 and p99 latency (µs) from the median round. With --json: one
// line per case, raw = gRPC, zguard = typed call().
#include <zguard/zguard.hpp>

#include "bench_grpc.grpc.pb.h"
#include "bench_support.hpp"
#include "tls_certs.hpp"

#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

namespace zg = zguard;

namespace {

using bench_support::median;
using bench_support::steady;
bool json = false;

using bench = zg::domain<"bench">;
struct blob {
  ZGUARD_SCHEMA("bench.blob", 1);
  BOOST_HANA_DEFINE_STRUCT(blob, (std::uint32_t, seq), (zg::bounded_bytes<1024>, data));
};
using echo_service = zg::service<blob, blob>;
using L = zg::limits<zg::send_hwm<1000>, zg::recv_hwm<1000>, zg::block_when_full, zg::max_message_size<65536>,
                     zg::linger_ms<0>, zg::send_timeout_ms<5000>, zg::recv_timeout_ms<5000>,
                     zg::handshake_timeout_ms<5000>>;

blob make_blob(std::uint32_t seq, std::size_t size) {
  blob b{};
  b.seq = seq;
  b.data = std::vector<std::uint8_t>(size - zg::encode(blob{}).size(), 0x5a);
  return b;
}

struct outcome {
  double rate = 0, p50_us = 0, p99_us = 0;
  bool ok = true;
};
outcome summarize(std::vector<double> lat_us, double seconds, bool ok) {
  std::sort(lat_us.begin(), lat_us.end());
  auto pct = [&](double p) { return lat_us[std::size_t(p * double(lat_us.size() - 1))]; };
  return {double(lat_us.size()) / seconds, pct(0.50), pct(0.99), ok};
}

outcome typed_calls(int n, std::size_t size) {
  zg::context<bench> ctx([](zg::security_event const&) {});
  zg::authenticator<bench> auth(ctx);
  auto const server = zg::keypair::generate(), client = zg::keypair::generate();
  auth.allow(client.public_part());
  zg::socket<bench, zg::tcp, zg::rep, zg::curve_server, L, echo_service> rep(ctx, auth, server);
  zg::socket<bench, zg::tcp, zg::req, zg::curve_client, L, echo_service> req(ctx, client, server.public_part());
  req.connect(rep.bind("tcp://127.0.0.1:*"));
  std::stop_source stop;
  std::thread serving([&] {
    rep.serve([](blob const& request, zg::peer_info const&) { return request; }, stop.get_token());
  });
  auto request = make_blob(0, size);
  bool ok = bool(req.call(request, 1));  // warm-up: handshake and ZAP
  std::vector<double> lat;
  lat.reserve(std::size_t(n));
  auto const t0 = steady::now();
  for (int i = 1; i <= n; ++i) {
    request.seq = std::uint32_t(i);
    auto const s = steady::now();
    auto reply = req.call(request, 1);
    lat.push_back(std::chrono::duration<double, std::micro>(steady::now() - s).count());
    ok = ok && reply && reply->seq == request.seq;
  }
  double const seconds = std::chrono::duration<double>(steady::now() - t0).count();
  stop.request_stop();
  serving.join();
  return summarize(std::move(lat), seconds, ok);
}

class echo final : public zguard_bench::Echo::Service {
  grpc::Status Call(grpc::ServerContext*, zguard_bench::Payload const* in, zguard_bench::Payload* out) override {
    *out = *in;
    return grpc::Status::OK;
  }
};

// A gRPC server with mutual TLS on a loopback port, for the whole run.
struct grpc_side {
  bench_support::tls_certs certs;
  echo service;
  std::unique_ptr<grpc::Server> server;
  int port = 0;
  std::shared_ptr<grpc::Channel> channel;
  grpc_side() {
    grpc::SslServerCredentialsOptions opts(GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
    opts.pem_root_certs = certs.text("ca.pem");
    opts.pem_key_cert_pairs.push_back({certs.text("server.key"), certs.text("server.pem")});
    grpc::ServerBuilder b;
    b.AddListeningPort("127.0.0.1:0", grpc::SslServerCredentials(opts), &port);
    b.RegisterService(&service);
    server = b.BuildAndStart();
    if (!server || port == 0) {
      std::fprintf(stderr, "bench_grpc: the gRPC server did not start\n");
      std::exit(2);
    }
    grpc::SslCredentialsOptions c;
    c.pem_root_certs = certs.text("ca.pem");
    c.pem_private_key = certs.text("client.key");
    c.pem_cert_chain = certs.text("client.pem");
    channel = grpc::CreateChannel("localhost:" + std::to_string(port), grpc::SslCredentials(c));
  }
  ~grpc_side() { server->Shutdown(); }
};

outcome grpc_calls(grpc_side& side, int n, std::size_t size) {
  auto stub = zguard_bench::Echo::NewStub(side.channel);
  zguard_bench::Payload request, reply;
  request.set_data(std::string(make_blob(0, size).data.size(), 'Z'));  // as many data bytes as the blob carries
  bool ok = true;
  {
    grpc::ClientContext warm;
    ok = stub->Call(&warm, request, &reply).ok();  // warm-up: TLS handshake
  }
  std::vector<double> lat;
  lat.reserve(std::size_t(n));
  auto const t0 = steady::now();
  for (int i = 1; i <= n; ++i) {
    request.set_seq(std::uint32_t(i));
    grpc::ClientContext ctx;
    auto const s = steady::now();
    auto const status = stub->Call(&ctx, request, &reply);
    lat.push_back(std::chrono::duration<double, std::micro>(steady::now() - s).count());
    ok = ok && status.ok() && reply.seq() == request.seq();
  }
  double const seconds = std::chrono::duration<double>(steady::now() - t0).count();
  return summarize(std::move(lat), seconds, ok);
}

}  // namespace

int main(int argc, char** argv) {
  json = bench_support::take_json_flag(argc, argv);
  int const n = argc > 1 ? std::atoi(argv[1]) : 10000;
  int const rounds = argc > 2 ? std::atoi(argv[2]) : 5;
  if (n < 1 || rounds < 1) {
    std::fprintf(stderr, "usage: bench_grpc [calls=10000] [rounds=5] [--json]\n");
    return 2;
  }
  grpc_side side;
  if (!json)
    std::printf("%-16s %12s %12s %8s %20s %20s\n", "case", "gRPC calls/s", "zguard", "ratio", "p50 us gRPC/zguard",
                "p99 us gRPC/zguard");
  for (std::size_t size : {std::size_t(64), std::size_t(1024)}) {
    std::vector<outcome> theirs, ours;
    for (int r = 0; r < rounds; ++r) {
      if (r % 2 == 0) theirs.push_back(grpc_calls(side, n, size)), ours.push_back(typed_calls(n, size));
      else ours.push_back(typed_calls(n, size)), theirs.push_back(grpc_calls(side, n, size));
    }
    auto mid = [](std::vector<outcome> v) {
      std::sort(v.begin(), v.end(), [](auto const& a, auto const& b) { return a.rate < b.rate; });
      return v[v.size() / 2];
    };
    bool const all_ok = std::all_of(theirs.begin(), theirs.end(), [](auto const& o) { return o.ok; }) &&
                        std::all_of(ours.begin(), ours.end(), [](auto const& o) { return o.ok; });
    auto const g = mid(theirs), z = mid(ours);
    std::string const name = "rpc/unary/" + std::to_string(size);
    if (json) {
      bench_support::json_row()
          .compare(name, size, g.rate, z.rate)
          .str("unit", "calls/s")
          .integer("calls", n)
          .integer("runs", rounds)
          .num("raw_p50_us", g.p50_us)
          .num("raw_p99_us", g.p99_us)
          .num("zguard_p50_us", z.p50_us)
          .num("zguard_p99_us", z.p99_us)
          .str("raw_is", "gRPC unary, TLS with client certificates")
          .print();
    } else {
      std::printf("%-16s %12.0f %12.0f %8.2f %9.0f / %-8.0f %9.0f / %-8.0f%s\n", name.c_str(), g.rate, z.rate,
                  z.rate / g.rate, g.p50_us, z.p50_us, g.p99_us, z.p99_us, all_ok ? "" : "  (a call failed)");
    }
    if (!all_ok) std::fprintf(stderr, "bench_grpc: a call failed or answered another request\n");
  }
  return 0;
}
