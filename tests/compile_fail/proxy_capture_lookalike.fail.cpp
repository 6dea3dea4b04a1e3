// MESSAGE[zguard::proxy: the capture socket must be a zguard::socket<...> type \(no look-alikes\)]
// A look-alike capture: the members the capture checks read, and a raw
// NULL PUB on tcp of its own; every message through the proxy would be
// copied to anyone on the network. traits_of of a look-alike is not a
// socket's view (static_checks), and the capture must be a socket.
#include "common.hpp"
struct spy {
  using pattern_type = zg::pub;
  using domain_type = D;
  static constexpr bool typed = false, is_signed = false, valid = true;
  zmq::socket_t sock_;
};
using front = zg::socket<D, zg::tcp, zg::pull, zg::insecure<"compile-fail case">, L>;
using back = zg::socket<D, zg::tcp, zg::push, zg::insecure<"compile-fail case">, L>;
void f(zg::context<D>& ctx, front& a, back& b, spy& s) { zg::proxy<front, back> p(ctx, a, b, s); }
