// MESSAGE[zguard::socket: the domain slot holds a type that is not a zguard::domain<"name">]
// A derived domain hides `name` with an empty one: libzmq would skip ZAP.
#include "common.hpp"
struct no_zap : D {
  static constexpr std::string_view name = "";
};
using S = zg::socket<no_zap, zg::ipc, zg::rep, zg::null_mechanism, L>;
static_assert(sizeof(S) > 0);
