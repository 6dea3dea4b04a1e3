// MESSAGE[zguard::pipeline: sealing mismatch: the link is sealed but this socket does not seal or open its payloads with the link's sealed<...>]
// MESSAGE[port_check<reader, ticks,]
#include "common.hpp"
using tick_topic = zg::topic<"ticks", small>;
using sig = zg::signing<zg::ed25519>;
using seal = zg::sealed<zg::max_members<2>>;
struct ticks : zg::link<"ticks", "ipc://{dir}/ticks", D, zg::ipc, tick_topic, zg::null_mechanism, 1024, sig, seal> {};
using sealed_pub = zg::socket<D, zg::ipc, zg::pub, zg::null_mechanism, LD, tick_topic, sig, seal>;
using plain_sub = zg::socket<D, zg::ipc, zg::sub, zg::null_mechanism, LD, tick_topic, sig>;  // would get no key
struct publisher : zg::stage<"publisher", zg::binds<ticks, sealed_pub>> {};
struct reader : zg::stage<"reader", zg::connects<ticks, plain_sub>> {};
static_assert(zg::pipeline<publisher, reader>::checked);
