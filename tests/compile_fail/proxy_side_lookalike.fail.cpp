// MESSAGE[zguard::proxy: both sides must be zguard::socket<...> types \(no look-alikes\)]
// A class with the members proxy reads, claiming to be a valid socket.
#include "common.hpp"
using back_t = zg::socket<D, zg::ipc, zg::dealer, zg::null_mechanism, L>;
struct fake_front {
  static constexpr bool valid = true, typed = false, is_signed = false;
  using pattern_type = zg::router;
  using domain_type = D;
};
static_assert(sizeof(zg::proxy<fake_front, back_t>) > 0);
