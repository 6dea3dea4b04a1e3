// MESSAGE[zguard::socket: no security mechanism; add zguard::curve_server]
#include "common.hpp"
using front = zg::socket<D, zg::tcp, zg::xsub, LD>;
using back = zg::socket<D, zg::tcp, zg::xpub, zg::curve_server, LD>;
void f(zg::context<D>& ctx, front& a, back& b) { zg::proxy<front, back> p(ctx, a, b); }
