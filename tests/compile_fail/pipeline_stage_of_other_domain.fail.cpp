// MESSAGE[domain mismatch: a stage's socket belongs to another security domain than the link it uses \(G10\)]
// MESSAGE[port_check<intruder, jobs,]
#include "common.hpp"
using B = zg::domain<"cf-other">;
struct jobs : zg::link<"jobs", "ipc://{dir}/jobs", D, zg::ipc, zg::stream<small>, zg::null_mechanism, 1024> {};
struct source : zg::stage<"source", zg::binds<jobs, zg::socket<D, zg::ipc, zg::push, zg::null_mechanism, L, zg::stream<small>>>> {};
struct intruder : zg::stage<"intruder", zg::connects<jobs, zg::socket<B, zg::ipc, zg::pull, zg::null_mechanism, L, zg::stream<small>>>> {};
static_assert(zg::pipeline<source, intruder>::checked);
