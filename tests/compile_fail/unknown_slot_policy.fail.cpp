// MESSAGE[zguard::socket: every argument must be a zguard policy]
// A policy for a slot zguard does not have would be ignored silently.
#include "common.hpp"
struct my_slot {};
struct extra {
  using zguard_slot = my_slot;
};
void f(zg::context<D>& ctx) {
  zg::socket<D, zg::ipc, zg::rep, zg::null_mechanism, L, extra> s(ctx);
}
