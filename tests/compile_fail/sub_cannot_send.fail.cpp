// MESSAGE[SendingPattern]
#include <zguard/zguard.hpp>
namespace zg = zguard;
using D = zg::domain<"cf">;
using L = zg::limits<zg::send_hwm<10>, zg::recv_hwm<10>, zg::block_when_full, zg::max_message_size<1024>,
                     zg::linger_ms<0>, zg::send_timeout_ms<100>, zg::recv_timeout_ms<100>,
                     zg::handshake_timeout_ms<1000>>;
using LD = zg::limits<zg::send_hwm<10>, zg::recv_hwm<10>, zg::drop_when_full, zg::max_message_size<1024>,
                      zg::linger_ms<0>, zg::send_timeout_ms<100>, zg::recv_timeout_ms<100>,
                      zg::handshake_timeout_ms<1000>>;
void f(zg::context<D>& ctx, zg::keypair const& k, zg::public_key const& server) {
  zg::socket<D, zg::tcp, zg::sub, zg::curve_client, LD> s(ctx, k, server);
  (void)s.send("x");
}
