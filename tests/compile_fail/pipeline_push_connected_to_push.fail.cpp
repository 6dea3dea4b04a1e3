// MESSAGE[pattern mismatch on a link: these socket patterns cannot talk to each other]
// MESSAGE[pair_check<jobs, source,]
#include "common.hpp"
struct jobs : zg::link<"jobs", "ipc://{dir}/jobs", D, zg::ipc, zg::stream<small>, zg::null_mechanism, 1024> {};
using push = zg::socket<D, zg::ipc, zg::push, zg::null_mechanism, L, zg::stream<small>>;
// Each socket fits the link's channel; the pattern pair does not.
struct source : zg::stage<"source", zg::binds<jobs, push>> {};
struct other_source : zg::stage<"other_source", zg::connects<jobs, push>> {};
static_assert(zg::pipeline<source, other_source>::checked);
