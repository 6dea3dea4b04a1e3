// MESSAGE[PUB/SUB/XPUB/XSUB drop messages at the HWM in libzmq; declare zguard::drop_when_full]
#include <zguard/zguard.hpp>
namespace zg = zguard;
using D = zg::domain<"cf">;
using L = zg::limits<zg::send_hwm<10>, zg::recv_hwm<10>, zg::block_when_full, zg::max_message_size<1024>,
                     zg::linger_ms<0>, zg::send_timeout_ms<100>, zg::recv_timeout_ms<100>,
                     zg::handshake_timeout_ms<1000>>;
using LD = zg::limits<zg::send_hwm<10>, zg::recv_hwm<10>, zg::drop_when_full, zg::max_message_size<1024>,
                      zg::linger_ms<0>, zg::send_timeout_ms<100>, zg::recv_timeout_ms<100>,
                      zg::handshake_timeout_ms<1000>>;
void f(zg::context<D>& ctx, zg::authenticator<D>& auth, zg::keypair const& k) {
  zg::socket<D, zg::tcp, zg::pub, zg::curve_server, L> s(ctx, auth, k);
}
