// MESSAGE[zguard::socket: the channel slot holds a type that is not a zguard::service<...>, topic<...> or stream<...>]
#include "common.hpp"
struct my_stream : zg::stream<small> {};
void f(zg::context<D>& ctx) {
  zg::socket<D, zg::ipc, zg::push, zg::null_mechanism, L, my_stream> s(ctx);
}
