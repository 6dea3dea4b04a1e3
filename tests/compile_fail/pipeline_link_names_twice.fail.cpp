// MESSAGE[zguard::pipeline: two different links have the same name; link names are unique]
#include "common.hpp"
// Key files, rendezvous files and the walk through relays go by name: the two would be one link there.
using calls_channel = zg::service<small, small>;
struct x1 : zg::link<"x", "ipc://{dir}/x1", D, zg::ipc, calls_channel, zg::null_mechanism, 1024> {};
struct x2 : zg::link<"x", "ipc://{dir}/x2", D, zg::ipc, calls_channel, zg::null_mechanism, 1024> {};
using req_t = zg::socket<D, zg::ipc, zg::req, zg::null_mechanism, LD, calls_channel>;
using rep_t = zg::socket<D, zg::ipc, zg::rep, zg::null_mechanism, LD, calls_channel>;
struct s1 : zg::stage<"s1", zg::binds<x1, rep_t>> {};
struct c1 : zg::stage<"c1", zg::connects<x1, req_t>> {};
struct s2 : zg::stage<"s2", zg::binds<x2, rep_t>> {};
struct c2 : zg::stage<"c2", zg::connects<x2, req_t>> {};
static_assert(zg::pipeline<s1, c1, s2, c2>::checked);
