// MESSAGE[zguard::event_loop::on: the socket must be a zguard::socket that receives]
#include "common.hpp"
void f(zg::event_loop& loop, zg::socket<D, zg::ipc, zg::pub, zg::null_mechanism, LD>& pub) {
  loop.on(pub, [](auto&) {});
}
