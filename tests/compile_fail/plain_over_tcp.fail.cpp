// MESSAGE[PLAIN sends the password in clear text; it is allowed only on ipc]
#include "common.hpp"
void f(zg::context<D>& ctx, zg::authenticator<D>& auth) {
  zg::socket<D, zg::tcp, zg::rep, zg::plain_server, L> s(ctx, auth);
}
