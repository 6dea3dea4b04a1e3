// MESSAGE[zguard::bound_endpoint: cannot be assigned; the address bind\(\) returned never changes]
#include "common.hpp"
void f(zg::socket<D, zg::ipc, zg::rep, zg::null_mechanism, L>& a, zg::socket<D, zg::ipc, zg::rep, zg::null_mechanism, L>& b) {
  auto ep = a.bind("ipc:///run/svc/a.sock");
  ep = b.bind("ipc:///run/svc/b.sock");
}
