// MESSAGE[signing algorithm mismatch: the socket and the link use different algorithms]
// MESSAGE[port_check<reader, ticks,]
#include "common.hpp"
using tick_topic = zg::topic<"ticks", small>;
struct ticks : zg::link<"ticks", "ipc://{dir}/ticks", D, zg::ipc, tick_topic, zg::null_mechanism, 1024,
                        zg::signing<zg::ed25519>> {};
struct feed : zg::stage<"feed", zg::binds<ticks, zg::socket<D, zg::ipc, zg::pub, zg::null_mechanism, LD, tick_topic,
                                                            zg::signing<zg::ed25519>>>> {};
struct reader : zg::stage<"reader", zg::connects<ticks, zg::socket<D, zg::ipc, zg::sub, zg::null_mechanism, LD, tick_topic,
                                                                   zg::signing<zg::blake2b_mac>>>> {};
static_assert(zg::pipeline<feed, reader>::checked);
