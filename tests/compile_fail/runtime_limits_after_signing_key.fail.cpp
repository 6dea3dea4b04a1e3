// MESSAGE[a socket with ranged limit tags .* right after the mechanism's arguments]
#include "common.hpp"
using R = zg::limits<zg::send_hwm_in<10, 100>, zg::recv_hwm<10>, zg::drop_when_full, zg::max_message_size<1024>,
                     zg::linger_ms<0>, zg::send_timeout_ms<100>, zg::recv_timeout_ms<100>,
                     zg::handshake_timeout_ms<1000>>;
void f(zg::context<D>& ctx, zg::authenticator<D>& auth, zg::keypair const& keys,
       zg::signing_key<zg::ed25519> const& sk) {
  zg::socket<D, zg::tcp, zg::pub, zg::curve_server, R, zg::topic<"t", small>, zg::signing<zg::ed25519>> s(
      ctx, auth, keys, sk, zg::runtime_limits{});
}
