// MESSAGE[message size mismatch: the sender's max message size exceeds the receiver's max_message_size]
// MESSAGE[pair_check<jobs, sink,]
#include "common.hpp"
using L2048 = zg::limits<zg::send_hwm<10>, zg::recv_hwm<10>, zg::block_when_full, zg::max_message_size<2048>,
                         zg::linger_ms<0>, zg::send_timeout_ms<100>, zg::recv_timeout_ms<100>,
                         zg::handshake_timeout_ms<1000>>;
struct jobs : zg::link<"jobs", "ipc://{dir}/jobs", D, zg::ipc, zg::stream<small>, zg::null_mechanism, 1024> {};
// The sink binds a PULL of 1024 bytes; a source connects a PUSH allowed 2048.
struct sink : zg::stage<"sink", zg::binds<jobs, zg::socket<D, zg::ipc, zg::pull, zg::null_mechanism, L, zg::stream<small>>>> {};
struct source : zg::stage<"source", zg::connects<jobs, zg::socket<D, zg::ipc, zg::push, zg::null_mechanism, L2048, zg::stream<small>>>> {};
static_assert(zg::pipeline<sink, source>::checked);
