// MESSAGE[zguard::stage: a stage's name is 1..64 of \[A-Za-z0-9_-\]: it names key files, processes and units, joined with dots]
#include "common.hpp"
// Stage "a.b" on link "c" and stage "a" on link "b.c" would share the key file a.b.c.seal.
using calls_channel = zg::service<small, small>;
struct c : zg::link<"c", "ipc://{dir}/c", D, zg::ipc, calls_channel, zg::null_mechanism, 1024> {};
using rep_t = zg::socket<D, zg::ipc, zg::rep, zg::null_mechanism, LD, calls_channel>;
struct worker : zg::stage<"a.b", zg::binds<c, rep_t>> {};
static_assert(zg::pipeline<worker>::checked);
