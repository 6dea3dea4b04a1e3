// MESSAGE[batched<N, Ms> and coalesced<N, Us> pack messages of one topic; a topics<...> channel is not batched]
#include "common.hpp"
void f(zg::context<D>& ctx) {
  zg::socket<D, zg::ipc, zg::sub, zg::null_mechanism, LD,
             zg::topics<zg::topic<"a", small>, zg::topic<"b", other_small>>, zg::batched<4, 5>> s(ctx);
}
