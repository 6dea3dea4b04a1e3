// MESSAGE[zguard::connects<Link, Pattern, Limits>: Limits must be a zguard::limits<...>; derived or hand-written limits are refused]
// MESSAGE[connects<jobs, zguard::v0::pull, my_limits>]
#include "common.hpp"
struct jobs : zg::link<"jobs", "ipc://{dir}/jobs", D, zg::ipc, zg::stream<small>, zg::null_mechanism, 1024> {};
struct my_limits : L {};  // derived: it could claim bounds the rules never checked
struct source : zg::stage<"source", zg::binds<jobs, zg::push, L>> {};
struct sink : zg::stage<"sink", zg::connects<jobs, zg::pull, my_limits>> {};
static_assert(zg::pipeline<source, sink>::checked);
