// MESSAGE[zguard::pipeline: untyped socket on a link: the stage.s code would send and read the link.s messages as raw frames, unchecked \(on a signed link: unsigned, unverified\)]
// MESSAGE[port_check<eavesdropper, ticks,]
#include "common.hpp"
using tick_topic = zg::topic<"ticks", small>;
using sig = zg::signing<zg::ed25519>;
struct ticks : zg::link<"ticks", "ipc://{dir}/ticks", D, zg::ipc, tick_topic, zg::null_mechanism, 1024, sig> {};
using signed_pub = zg::socket<D, zg::ipc, zg::pub, zg::null_mechanism, LD, tick_topic, sig>;
using raw_sub = zg::socket<D, zg::ipc, zg::sub, zg::null_mechanism, LD>;  // recv() hands out unverified frames
struct publisher : zg::stage<"publisher", zg::binds<ticks, signed_pub>> {};
struct eavesdropper : zg::stage<"eavesdropper", zg::connects<ticks, raw_sub>> {};
static_assert(zg::pipeline<publisher, eavesdropper>::checked);
