// MESSAGE[zguard::batched<N, MaxDelayMs>: N must be >= 2 \(one message needs no batch\)]
#include "common.hpp"
using feed = zg::socket<D, zg::ipc, zg::push, zg::null_mechanism, L, zg::stream<small>, zg::batched<1, 5>>;
void f(zg::context<D>& ctx) { feed s(ctx); }
