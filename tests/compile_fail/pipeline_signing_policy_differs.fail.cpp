// MESSAGE[zguard::pipeline: signing policy mismatch: the socket's signing<...> differs from the link's \(freshness or replay window\)]
// MESSAGE[port_check<reader, ticks,]
#include "common.hpp"
using tick_topic = zg::topic<"ticks", small>;
using sig = zg::signing<zg::ed25519>;
using lax = zg::signing<zg::ed25519, zg::freshness_ms<600000>>;  // accepts ten-minute-old messages
struct ticks : zg::link<"ticks", "ipc://{dir}/ticks", D, zg::ipc, tick_topic, zg::null_mechanism, 1024, sig> {};
using signed_pub = zg::socket<D, zg::ipc, zg::pub, zg::null_mechanism, LD, tick_topic, sig>;
using lax_sub = zg::socket<D, zg::ipc, zg::sub, zg::null_mechanism, LD, tick_topic, lax>;
struct publisher : zg::stage<"publisher", zg::binds<ticks, signed_pub>> {};
struct reader : zg::stage<"reader", zg::connects<ticks, lax_sub>> {};
static_assert(zg::pipeline<publisher, reader>::checked);
