// MESSAGE[mechanism mismatch: the connecting socket cannot talk to the link's binder]
// MESSAGE[port_check<client, orders,]
#include "common.hpp"
using svc = zg::service<small, other_small>;
struct orders : zg::link<"orders", "ipc://{dir}/orders", D, zg::ipc, svc, zg::null_mechanism, 1024> {};
struct server : zg::stage<"server", zg::binds<orders, zg::socket<D, zg::ipc, zg::rep, zg::null_mechanism, L, svc>>> {};
struct client : zg::stage<"client", zg::connects<orders, zg::socket<D, zg::ipc, zg::req, zg::curve_client, L, svc>>> {};
static_assert(zg::pipeline<server, client>::checked);
