// Builds against an installed zguard and runs one CURVE round trip.
#include <zguard/zguard.hpp>

#include <iostream>

namespace zg = zguard;
using app = zg::domain<"consumer">;
using L = zg::limits<zg::send_hwm<10>, zg::recv_hwm<10>, zg::block_when_full, zg::max_message_size<1024>,
                     zg::linger_ms<0>, zg::send_timeout_ms<1000>, zg::recv_timeout_ms<2000>,
                     zg::handshake_timeout_ms<2000>>;

int main() {
  zg::context<app> ctx;
  zg::authenticator<app> auth(ctx);
  auto server_keys = zg::keypair::generate();
  auto client_keys = zg::keypair::generate();
  auth.allow(client_keys.public_part());
  zg::socket<app, zg::tcp, zg::rep, zg::curve_server, L> rep(ctx, auth, server_keys);
  zg::socket<app, zg::tcp, zg::req, zg::curve_client, L> req(ctx, client_keys, server_keys.public_part());
  req.connect(rep.bind("tcp://127.0.0.1:*"));
  if (!req.send("ping")) return 1;
  auto got = rep.receive();
  if (!got || got->to_string() != "ping" || !rep.send("pong")) return 1;
  auto reply = req.receive();
  if (!reply || reply->to_string() != "pong") return 1;
  std::cout << "consumer: CURVE round trip through an installed zguard: ok\n";
  return 0;
}
