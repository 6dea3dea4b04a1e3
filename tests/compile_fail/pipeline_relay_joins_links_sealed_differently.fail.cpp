// MESSAGE[zguard::pipeline: a relay_stage joins links sealed differently \(one sealed and one not, or two sealed<...> policies\)]
#include "common.hpp"
// Link a seals without padding, link b pads to 256: no typed end sees both, and the relay reads neither.
using tick_topic = zg::topic<"ticks", small>;
using sig = zg::signing<zg::ed25519>;
struct a : zg::link<"a", "ipc://{dir}/a", D, zg::ipc, tick_topic, zg::null_mechanism, 1024, sig,
                    zg::sealed<zg::max_members<2>>> {};
struct b : zg::link<"b", "ipc://{dir}/b", D, zg::ipc, tick_topic, zg::null_mechanism, 1024, sig,
                    zg::sealed<zg::max_members<2>, zg::pad_to<256>>> {};
using in_t = zg::socket<D, zg::ipc, zg::xsub, zg::null_mechanism, LD>;
using out_t = zg::socket<D, zg::ipc, zg::xpub, zg::null_mechanism, LD>;
using pub_t = zg::socket<D, zg::ipc, zg::pub, zg::null_mechanism, LD, tick_topic, sig, zg::sealed<zg::max_members<2>>>;
using sub_t = zg::socket<D, zg::ipc, zg::sub, zg::null_mechanism, LD, tick_topic, sig,
                         zg::sealed<zg::max_members<2>, zg::pad_to<256>>>;
struct publisher : zg::stage<"publisher", zg::binds<a, pub_t>> {};
struct relay : zg::relay_stage<"relay", zg::connects<a, in_t>, zg::binds<b, out_t>> {};
struct reader : zg::stage<"reader", zg::connects<b, sub_t>> {};
static_assert(zg::pipeline<publisher, relay, reader>::checked);
