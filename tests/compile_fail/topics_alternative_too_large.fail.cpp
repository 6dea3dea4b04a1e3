// MESSAGE[zguard::socket: a schema of the channel can encode to more bytes than the socket's max_message_size<N>]
// Every declared topic's schema must fit, whichever is subscribed at run time.
#include "common.hpp"
struct big {
  ZGUARD_SCHEMA("cf.big", 1);
  BOOST_HANA_DEFINE_STRUCT(big, (zg::bounded_bytes<4000>, blob));
};
void f(zg::context<D>& ctx) {
  zg::socket<D, zg::ipc, zg::sub, zg::null_mechanism, LD, zg::topics<zg::topic<"a", small>, zg::topic<"b", big>>> s(ctx);
}
