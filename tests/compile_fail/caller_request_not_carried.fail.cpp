// MESSAGE[zguard::caller::call: this socket's service channel does not carry that request type]
#include "common.hpp"
using client = zg::socket<D, zg::ipc, zg::dealer, zg::null_mechanism, L, zg::service<small, small>>;
void f(client& s) {
  zg::caller<client> calls(s);
  calls.call(other_small{1}, std::chrono::milliseconds(100), [](zg::call_result<small>) {});
}
