// MESSAGE[zguard::caller: asynchronous calls need a zguard::socket DEALER with a service<Req, Rep> channel]
#include "common.hpp"
using client = zg::socket<D, zg::ipc, zg::req, zg::null_mechanism, L, zg::service<small, small>>;
void f(client& s) {
  zg::caller<client> calls(s);
  calls.call(small{1, "a"}, std::chrono::milliseconds(100), [](auto) {});
}
