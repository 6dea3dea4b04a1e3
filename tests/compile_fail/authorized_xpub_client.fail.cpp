// MESSAGE[authorized needs to know who the peer is: a CURVE or PLAIN server mechanism, or vouched<...> behind a broker]
#include "common.hpp"
// A CURVE client learns no subscriber's key (ZAP runs on the server), so an
// authorized XPUB that connects could not tell whom it lets read.
void f(zg::context<D>& ctx, zg::keypair const& keys, zg::public_key const& server, zg::permissions& perms) {
  zg::socket<D, zg::tcp, zg::xpub, zg::curve_client, LD, zg::topic<"t", small>, zg::authorized> s(ctx, keys, server,
                                                                                                  perms);
}
