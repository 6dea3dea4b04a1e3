// MESSAGE[zguard::socket::connect: this socket's channel is sealed<...> and the socket bound at that endpoint declares no sealing]
// A sealed client pointed straight at a service that seals nothing.
#include "common.hpp"
void f(zg::context<D>& ctx, zg::sealing_public_key const& service_key) {
  zg::socket<D, zg::ipc, zg::rep, zg::null_mechanism, L, zg::service<small, small>> service(ctx);
  zg::socket<D, zg::ipc, zg::req, zg::null_mechanism, L, zg::service<small, small>, zg::sealed<>> client(ctx,
                                                                                                        service_key);
  client.connect(service.bind("ipc:///tmp/cf-sealed.sock"));
}
