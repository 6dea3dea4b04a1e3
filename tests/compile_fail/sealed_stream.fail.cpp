// MESSAGE[zguard::socket: sealed<...> seals service<Req, Rep> and topic<"name", S> channels; stream channels and topics<...> sets are not sealed by this release]
#include "common.hpp"
void f(zg::context<D>& ctx, zg::sealing_key const& key) {
  zg::socket<D, zg::ipc, zg::pull, zg::null_mechanism, L, zg::stream<small>, zg::sealed<>> s(ctx, key);
}
