// MESSAGE[zguard::socket: the transport slot holds a type that is not a zguard transport tag]
// The same members as tcp, written by hand: a look-alike fills no slot.
#include "common.hpp"
struct my_tcp {
  using zguard_slot = zg::slot::transport;
  static constexpr std::string_view scheme = "tcp";
  static constexpr bool carries_mechanism = true;
  static constexpr bool outside_process = true;
  static constexpr bool multicast = false;
};
void f(zg::context<D>& ctx) {
  zg::socket<D, my_tcp, zg::rep, zg::null_mechanism, L> s(ctx);
}
