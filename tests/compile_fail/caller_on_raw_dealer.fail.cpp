// MESSAGE[zguard::caller: asynchronous calls need a zguard::socket DEALER with a service<Req, Rep> channel]
#include "common.hpp"
using raw_dealer = zg::socket<D, zg::ipc, zg::dealer, zg::null_mechanism, L>;
void f(raw_dealer& s) {
  zg::caller<raw_dealer> calls(s);
  auto reply = calls.call("ping", std::chrono::milliseconds(100));
}
