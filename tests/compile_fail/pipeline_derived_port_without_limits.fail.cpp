// MESSAGE[zguard::binds<Link, Socket>: Socket must be a zguard::socket<...> \(or give binds<Link, Pattern, Limits> to derive the socket from the link\)]
#include "common.hpp"
struct jobs : zg::link<"jobs", "ipc://{dir}/jobs", D, zg::ipc, zg::stream<small>, zg::null_mechanism, 1024> {};
// A pattern alone: a derived socket still needs its limits.
struct source : zg::stage<"source", zg::binds<jobs, zg::push>> {};
struct sink : zg::stage<"sink", zg::connects<jobs, zg::pull, L>> {};
static_assert(zg::pipeline<source, sink>::checked);
