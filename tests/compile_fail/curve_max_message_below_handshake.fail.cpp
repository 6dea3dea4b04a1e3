// MESSAGE[a CURVE socket needs max_message_size<N> with N >= 512]
#include "common.hpp"
using L256 = zg::limits<zg::send_hwm<10>, zg::recv_hwm<10>, zg::block_when_full, zg::max_message_size<256>,
                        zg::linger_ms<0>, zg::send_timeout_ms<100>, zg::recv_timeout_ms<100>,
                        zg::handshake_timeout_ms<1000>>;
void f(zg::context<D>& ctx, zg::keypair const& keys, zg::public_key const& server) {
  zg::socket<D, zg::tcp, zg::req, zg::curve_client, L256> s(ctx, keys, server);
}
