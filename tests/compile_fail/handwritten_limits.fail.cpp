// MESSAGE[zguard::socket: the limits slot holds a type that is not a zguard::limits<...>]
// A whole limits policy written by hand: HWM 0 (unlimited), timeouts -1
// (forever), a 1 TiB message size, on a CURVE server.
#include "common.hpp"
struct open_limits {
  using zguard_slot = zg::slot::limits;
  template <class Slot>
  static constexpr bool has = true;
  static constexpr std::int64_t send_hwm = 0, recv_hwm = 0, max_message_size = std::int64_t(1) << 40, linger = -1,
                                send_timeout = -1, recv_timeout = -1, handshake_timeout = 0, rate_per_second = 0,
                                rate_burst = 0;
  static constexpr bool blocks_when_full = true, rate_limited = false;
};
void f(zg::context<D>& ctx, zg::authenticator<D>& a, zg::keypair const& k) {
  zg::socket<D, zg::tcp, zg::rep, zg::curve_server, open_limits> s(ctx, a, k);
}
