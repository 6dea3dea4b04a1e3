// MESSAGE[zguard::pipeline: untyped socket on a link]
// MESSAGE[port_check<forger, ticks,]
#include "common.hpp"
using tick_topic = zg::topic<"ticks", small>;
using sig = zg::signing<zg::blake2b_mac>;
struct ticks : zg::link<"ticks", "ipc://{dir}/ticks", D, zg::ipc, tick_topic, zg::null_mechanism, 1024, sig> {};
using raw_pub = zg::socket<D, zg::ipc, zg::pub, zg::null_mechanism, LD>;  // send() puts unsigned frames on the link
using signed_sub = zg::socket<D, zg::ipc, zg::sub, zg::null_mechanism, LD, tick_topic, sig>;
struct forger : zg::stage<"forger", zg::binds<ticks, raw_pub>> {};
struct reader : zg::stage<"reader", zg::connects<ticks, signed_sub>> {};
static_assert(zg::pipeline<forger, reader>::checked);
