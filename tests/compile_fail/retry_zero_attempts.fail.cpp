// MESSAGE[zguard::retry<Attempts, BackoffInitialMs, BackoffMaxMs>: Attempts must be >= 1 \(a call is sent at least once\)]
#include "common.hpp"
using client = zg::socket<D, zg::ipc, zg::dealer, zg::null_mechanism, L, zg::service<small, small>>;
void f(client& s) { zg::caller<client, zg::retry<0, 10, 100>> calls(s); }
