// MESSAGE[zguard::socket: the transport slot holds a type that is not a zguard transport tag]
// A type derived from tcp is "not tcp" to every rule: NULL on tcp without insecure<>.
#include "common.hpp"
struct lan_tcp : zg::tcp {};
void f(zg::context<D>& ctx) {
  zg::socket<D, lan_tcp, zg::rep, zg::null_mechanism, L> s(ctx);
}
