// MESSAGE[zguard::socket: sealed<...> seals service<Req, Rep> channels .*; topic and stream channels are not sealed by this release]
#include "common.hpp"
void f(zg::context<D>& ctx, zg::sealing_key const& key) {
  zg::socket<D, zg::ipc, zg::pub, zg::null_mechanism, LD, zg::topic<"t", small>, zg::sealed<>> s(ctx, key);
}
