// MESSAGE[zguard::socket: sealed<...>'s options out of bounds: .*members 1..4096]
// A feed's option specialized past its bound (an announcement to 2^20
// members) is refused where the socket reads it, like a service's.
#include "common.hpp"
template <>
struct zguard::max_members<8> {
  using option_tag = zguard::detail::members_option;
  static constexpr std::uint32_t value = 1u << 20;
};
void f(zg::context<D>& ctx, zg::verify_keys<zg::ed25519> const& keys, zg::sealing_key const& key) {
  zg::socket<D, zg::ipc, zg::sub, zg::null_mechanism, LD, zg::topic<"t", small>, zg::signing<zg::ed25519>,
             zg::sealed<zg::max_members<8>>>
      s(ctx, keys, key);
}
