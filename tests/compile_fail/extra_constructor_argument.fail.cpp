// CASES[2]
// MESSAGE[zguard::socket: more constructor arguments than this socket takes: after the context, the mechanism's]
// One argument too many, every other one right and in its place: the
// extra one is named, not a right part blamed for it (counted from the
// end, a signed REP with ranged limits given a second verify_keys once
// said to pass a runtime_limits; a signed NULL PUB given its key twice,
// that a NULL socket takes no keys).
#include "common.hpp"
using R = zg::limits<zg::send_hwm_in<10, 100>, zg::recv_hwm<10>, zg::block_when_full, zg::max_message_size<1024>,
                     zg::linger_ms<0>, zg::send_timeout_ms<100>, zg::recv_timeout_ms<100>,
                     zg::handshake_timeout_ms<1000>>;
using signed_rep = zg::socket<D, zg::tcp, zg::rep, zg::curve_server, R, zg::service<small, small>,
                              zg::signing<zg::ed25519>>;
using signed_pub = zg::socket<D, zg::inproc, zg::pub, zg::null_mechanism, LD, zg::topic<"t", small>,
                              zg::signing<zg::ed25519>>;
void f(zg::context<D>& ctx, zg::authenticator<D>& auth, zg::keypair const& k, zg::runtime_limits const& rl,
       zg::signing_key<zg::ed25519> const& sk, zg::verify_keys<zg::ed25519> const& vk) {
  signed_rep s(ctx, auth, k, rl, sk, vk, vk);
  signed_pub p(ctx, sk, sk);
}
