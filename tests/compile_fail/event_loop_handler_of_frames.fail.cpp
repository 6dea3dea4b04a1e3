// MESSAGE[zguard::event_loop::on: the handler takes the socket, handler\(socket&\)]
#include "common.hpp"
void f(zg::event_loop& loop, zg::socket<D, zg::ipc, zg::pull, zg::null_mechanism, L, zg::stream<small>>& pull) {
  loop.on(pull, [](zmq::message_t&) {});  // the loop hands out no frames
}
