// MESSAGE[zguard::socket: the mechanism slot holds a type that is not a zguard mechanism tag]
// An "insecure" NULL made from zguard's own base with an empty reason: NULL on
// tcp past insecure<"reason">'s check, a blank reason in every profile.
#include "common.hpp"
struct quiet_null : zg::detail::mechanism_tag<zg::mechanism_kind::null, zg::mechanism_role::none, true> {
  static constexpr std::string_view reason = "";
};
void f(zg::context<D>& ctx) {
  zg::socket<D, zg::tcp, zg::rep, quiet_null, L> s(ctx);
}
