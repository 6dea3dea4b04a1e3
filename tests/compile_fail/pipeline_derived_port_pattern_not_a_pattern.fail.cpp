// MESSAGE[zguard::binds<Link, Pattern, Limits>: Pattern must be a zguard pattern tag]
// MESSAGE[binds<jobs, zguard::v0::null_mechanism,]
#include "common.hpp"
struct jobs : zg::link<"jobs", "ipc://{dir}/jobs", D, zg::ipc, zg::stream<small>, zg::null_mechanism, 1024> {};
// The mechanism where the pattern belongs: the link already says the mechanism.
struct source : zg::stage<"source", zg::binds<jobs, zg::null_mechanism, L>> {};
struct sink : zg::stage<"sink", zg::connects<jobs, zg::pull, L>> {};
static_assert(zg::pipeline<source, sink>::checked);
