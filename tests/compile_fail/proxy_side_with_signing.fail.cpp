// MESSAGE[zguard::proxy: the sides pass frames through unchanged; they carry no channel and no signing policy]
#include "common.hpp"
using front = zg::socket<D, zg::ipc, zg::pull, zg::null_mechanism, L, zg::stream<small>, zg::signing<zg::ed25519>>;
using back = zg::socket<D, zg::ipc, zg::push, zg::null_mechanism, L>;
void f(zg::context<D>& ctx, front& a, back& b) { zg::proxy<front, back> p(ctx, a, b); }
