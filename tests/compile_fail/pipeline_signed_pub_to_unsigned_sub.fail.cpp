// MESSAGE[signing mismatch: the link is signed but this socket neither signs nor verifies]
// MESSAGE[port_check<reader, ticks,]
#include "common.hpp"
using tick_topic = zg::topic<"ticks", small>;
using sig = zg::signing<zg::ed25519>;
struct ticks : zg::link<"ticks", "ipc://{dir}/ticks", D, zg::ipc, tick_topic, zg::null_mechanism, 1024, sig> {};
struct feed : zg::stage<"feed", zg::binds<ticks, zg::socket<D, zg::ipc, zg::pub, zg::null_mechanism, LD, tick_topic, sig>>> {};
struct reader : zg::stage<"reader", zg::connects<ticks, zg::socket<D, zg::ipc, zg::sub, zg::null_mechanism, LD, tick_topic>>> {};
static_assert(zg::pipeline<feed, reader>::checked);
