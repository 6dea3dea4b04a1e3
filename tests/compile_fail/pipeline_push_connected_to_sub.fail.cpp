// MESSAGE[pattern mismatch on a link: these socket patterns cannot talk to each other]
// MESSAGE[pair_check<jobs, source,]
#include "common.hpp"
struct jobs : zg::link<"jobs", "ipc://{dir}/jobs", D, zg::ipc, zg::stream<small>, zg::null_mechanism, 1024> {};
// Untyped sockets (relay sides) pass the schema check; the pattern pair does not.
struct source : zg::stage<"source", zg::binds<jobs, zg::socket<D, zg::ipc, zg::push, zg::null_mechanism, L>>> {};
struct listener : zg::stage<"listener", zg::connects<jobs, zg::socket<D, zg::ipc, zg::sub, zg::null_mechanism, LD>>> {};
static_assert(zg::pipeline<source, listener>::checked);
