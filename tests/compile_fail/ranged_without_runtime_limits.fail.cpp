// MESSAGE[a socket with ranged limit tags .* is given the chosen values: pass a zguard::runtime_limits .* right after the mechanism's arguments]
#include "common.hpp"
using R = zg::limits<zg::send_hwm_in<10, 100>, zg::recv_hwm<10>, zg::block_when_full, zg::max_message_size<1024>,
                     zg::linger_ms<0>, zg::send_timeout_ms<100>, zg::recv_timeout_ms<100>,
                     zg::handshake_timeout_ms<1000>>;
void f(zg::context<D>& ctx, zg::authenticator<D>& auth, zg::keypair const& keys) {
  zg::socket<D, zg::tcp, zg::rep, zg::curve_server, R, zg::service<small, small>> s(ctx, auth, keys);
}
