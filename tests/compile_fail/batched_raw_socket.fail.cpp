// MESSAGE[batched<N, Ms> and coalesced<N, Us> pack typed messages; add a stream<S> or topic<"name", S> channel]
#include "common.hpp"
using raw_push = zg::socket<D, zg::ipc, zg::push, zg::null_mechanism, L, zg::batched<8, 5>>;
void f(zg::context<D>& ctx) { raw_push s(ctx); }
