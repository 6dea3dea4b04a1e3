// MESSAGE[zguard::pipeline: sealing mismatch: the socket is sealed but the link is not]
// MESSAGE[port_check<worker, calls,]
#include "common.hpp"
using calls_channel = zg::service<small, small>;
struct calls : zg::link<"calls", "ipc://{dir}/calls", D, zg::ipc, calls_channel, zg::null_mechanism, 1024> {};
using plain_req = zg::socket<D, zg::ipc, zg::req, zg::null_mechanism, LD, calls_channel>;
using sealed_rep = zg::socket<D, zg::ipc, zg::rep, zg::null_mechanism, LD, calls_channel, zg::sealed<>>;  // no key generated for it
struct client : zg::stage<"client", zg::connects<calls, plain_req>> {};
struct worker : zg::stage<"worker", zg::binds<calls, sealed_rep>> {};
static_assert(zg::pipeline<client, worker>::checked);
