// MESSAGE[zguard::proxy: a capture socket carries raw copies of the frames: no channel, no signing]
#include "common.hpp"
using front = zg::socket<D, zg::ipc, zg::pull, zg::null_mechanism, L>;
using back = zg::socket<D, zg::ipc, zg::push, zg::null_mechanism, L>;
using capture = zg::socket<D, zg::ipc, zg::push, zg::null_mechanism, L, zg::stream<small>>;
void f(zg::context<D>& ctx, front& a, back& b, capture& c) { zg::proxy<front, back> p(ctx, a, b, c); }
