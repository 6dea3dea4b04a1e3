// MESSAGE[zguard::socket::subscribe: only a SUB socket subscribes]
#include "common.hpp"
void f(zg::socket<D, zg::ipc, zg::pull, zg::null_mechanism, L>& s) {
  s.subscribe("ticks");
}
