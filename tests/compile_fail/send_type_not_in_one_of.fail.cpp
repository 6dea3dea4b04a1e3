// MESSAGE[send: this socket.s channel does not carry that type; see the channel policy \(service, topic, stream; a one_of<...> carries its alternatives only\)]
#include "common.hpp"
struct third {
  ZGUARD_SCHEMA("cf.third", 1);
  BOOST_HANA_DEFINE_STRUCT(third, (std::uint8_t, x));
};
void f(zg::context<D>& ctx) {
  zg::socket<D, zg::inproc, zg::push, zg::null_mechanism, L, zg::stream<zg::one_of<small, other_small>>> s(ctx);
  (void)s.send(third{});
}
