// MESSAGE[limits<> has no handshake_timeout_ms<N>]
#include "common.hpp"
using Short = zg::limits<zg::send_hwm<10>, zg::recv_hwm<10>, zg::block_when_full, zg::max_message_size<1024>,
                         zg::linger_ms<0>, zg::send_timeout_ms<100>, zg::recv_timeout_ms<100>>;
void f(zg::context<D>& ctx, zg::keypair const& k, zg::public_key const& server) {
  zg::socket<D, zg::tcp, zg::req, zg::curve_client, Short> s(ctx, k, server);
}
