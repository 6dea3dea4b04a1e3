// MESSAGE[libzmq's conflate does not support multipart messages: only a typed stream<S> PUSH/PULL]
// A topic message is two frames (topic, payload): conflate would keep a lone frame.
#include "common.hpp"
using K = zg::limits<zg::send_hwm<10>, zg::recv_hwm<10>, zg::drop_when_full, zg::max_message_size<1024>,
                     zg::linger_ms<0>, zg::send_timeout_ms<100>, zg::recv_timeout_ms<100>,
                     zg::handshake_timeout_ms<1000>, zg::conflate>;
void f(zg::context<D>& ctx, zg::keypair const& k, zg::public_key const& server) {
  zg::socket<D, zg::tcp, zg::sub, zg::curve_client, K, zg::topic<"t", small>> s(ctx, k, server);
}
