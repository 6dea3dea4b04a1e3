// CASES[3]
// MESSAGE[zguard::coalesced<N, GapUs>: N must be >= 2 \(one message needs no batch\)]
// MESSAGE[zguard::coalesced<N, GapUs>: GapUs must be >= 1 and <= 1000000]
// MESSAGE[batched<N, Ms> and coalesced<N, Us> are for stream<S> and topic<"name", S> channels]
// Coalescing has batched's bounds and rules: one message is no batch, a
// gap of 0 would never wait (unbatched) and one over a second is a stall;
// a service has nothing to coalesce.
#include "common.hpp"
using one = zg::socket<D, zg::ipc, zg::push, zg::null_mechanism, L, zg::stream<small>, zg::coalesced<1, 50>>;
using no_gap = zg::socket<D, zg::ipc, zg::push, zg::null_mechanism, L, zg::stream<small>, zg::coalesced<8, 0>>;
using service = zg::socket<D, zg::ipc, zg::req, zg::null_mechanism, L, zg::service<small, small>,
                           zg::coalesced<8, 50>>;
void f(zg::context<D>& ctx) {
  one a(ctx);
  no_gap b(ctx);
  service c(ctx);
}
