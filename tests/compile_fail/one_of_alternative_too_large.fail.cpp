// MESSAGE[zguard::socket: a schema of the channel can encode to more bytes than the socket's max_message_size<N>]
// Every alternative must fit, not only the first: the largest is checked.
#include "common.hpp"
struct big {
  ZGUARD_SCHEMA("cf.big", 1);
  BOOST_HANA_DEFINE_STRUCT(big, (zg::bounded_bytes<4000>, blob));
};
void f(zg::context<D>& ctx) {
  zg::socket<D, zg::ipc, zg::push, zg::null_mechanism, L, zg::stream<zg::one_of<small, big>>> s(ctx);
}
