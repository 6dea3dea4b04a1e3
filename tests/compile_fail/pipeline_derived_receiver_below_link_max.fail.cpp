// MESSAGE[zguard::pipeline: message size mismatch: a receiving socket's max_message_size is smaller than the link's MaxMessage]
// MESSAGE[port_check<sink, jobs,]
#include "common.hpp"
struct jobs : zg::link<"jobs", "ipc://{dir}/jobs", D, zg::ipc, zg::stream<small>, zg::null_mechanism, 2048> {};
// A derived socket passes every check a written one does: L accepts 1024 bytes, the link carries 2048.
struct source : zg::stage<"source", zg::binds<jobs, zg::push, L>> {};
struct sink : zg::stage<"sink", zg::connects<jobs, zg::pull, L>> {};
static_assert(zg::pipeline<source, sink>::checked);
