// MESSAGE[schema mismatch: the socket's channel \(its schemas\) differs from the link's]
// MESSAGE[port_check<sink, jobs,]
#include "common.hpp"
struct jobs : zg::link<"jobs", "ipc://{dir}/jobs", D, zg::ipc, zg::stream<small>, zg::null_mechanism, 1024> {};
struct source : zg::stage<"source", zg::binds<jobs, zg::socket<D, zg::ipc, zg::push, zg::null_mechanism, L, zg::stream<small>>>> {};
struct sink : zg::stage<"sink", zg::connects<jobs, zg::socket<D, zg::ipc, zg::pull, zg::null_mechanism, L, zg::stream<other_small>>>> {};
static_assert(zg::pipeline<source, sink>::checked);
