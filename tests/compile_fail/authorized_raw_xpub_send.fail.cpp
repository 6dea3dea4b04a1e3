// MESSAGE[an authorized socket without a channel is a forwarder's side .*: give it to zguard::proxy, which enforces its permissions on every message]
#include "common.hpp"
void f(zg::context<D>& ctx, zg::authenticator<D>& auth, zg::keypair const& keys, zg::permissions& perms) {
  zg::socket<D, zg::tcp, zg::xpub, zg::curve_server, LD, zg::authorized> s(ctx, auth, keys, perms);
  (void)s.send("bypassing the permissions");
}
