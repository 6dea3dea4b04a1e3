// MESSAGE[authorized needs to know who the peer is: a CURVE or PLAIN server mechanism, or vouched<...> behind a broker]
#include "common.hpp"
void f(zg::context<D>& ctx, zg::permissions& perms) {
  zg::socket<D, zg::ipc, zg::rep, zg::null_mechanism, L, zg::service<small, small>, zg::authorized> s(ctx, perms);
}
