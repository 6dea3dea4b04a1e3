// MESSAGE[batched<N, Ms> and coalesced<N, Us> pack messages of one schema; a one_of<...> channel is not batched]
#include "common.hpp"
using feed = zg::socket<D, zg::ipc, zg::push, zg::null_mechanism, L, zg::stream<zg::one_of<small, other_small>>,
                        zg::batched<4, 5>>;
void f(zg::context<D>& ctx) { feed s(ctx); }
