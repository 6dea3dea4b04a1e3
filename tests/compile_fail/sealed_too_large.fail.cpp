// MESSAGE[zguard::socket: a sealed message does not fit max_message_size<N>]
// 1000 bytes fit 1024 unsealed; the seal's 146 bytes do not.
#include "common.hpp"
struct large {
  ZGUARD_SCHEMA("cf.large", 1);
  BOOST_HANA_DEFINE_STRUCT(large, (zg::bounded_bytes<980>, data));
};
void f(zg::context<D>& ctx, zg::sealing_public_key const& service) {
  zg::socket<D, zg::ipc, zg::req, zg::null_mechanism, L, zg::service<large, small>, zg::sealed<>> s(ctx, service);
}
