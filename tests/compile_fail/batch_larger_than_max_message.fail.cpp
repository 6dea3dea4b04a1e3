// MESSAGE[a full batch .* does not fit max_message_size<N>: lower the batch's N or raise max_message_size]
#include "common.hpp"
// small encodes to at most 28 bytes; 64 of them with framing are over L's 1024.
using feed = zg::socket<D, zg::ipc, zg::push, zg::null_mechanism, L, zg::stream<small>, zg::batched<64, 5>>;
void f(zg::context<D>& ctx) { feed s(ctx); }
