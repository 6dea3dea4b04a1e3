// MESSAGE[zguard::pipeline: untyped socket on a link: the stage.s code would send and read the link.s messages as raw frames, unchecked \(on a signed link: unsigned, unverified\)]
// MESSAGE[port_check<sink, jobs,]
#include "common.hpp"
struct jobs : zg::link<"jobs", "ipc://{dir}/jobs", D, zg::ipc, zg::stream<small>, zg::null_mechanism, 1024> {};
using push = zg::socket<D, zg::ipc, zg::push, zg::null_mechanism, L, zg::stream<small>>;
using raw_pull = zg::socket<D, zg::ipc, zg::pull, zg::null_mechanism, L>;  // undecoded frames
struct source : zg::stage<"source", zg::binds<jobs, push>> {};
struct sink : zg::stage<"sink", zg::connects<jobs, raw_pull>> {};
static_assert(zg::pipeline<source, sink>::checked);
