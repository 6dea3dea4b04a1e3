// MESSAGE[zguard::peer_handle: a reply can only be addressed to a peer obtained from receive\(\) on the ROUTER]
#include "common.hpp"
[[maybe_unused]] void f() {
  zg::peer_handle victim;  // an empty routing id, made by hand
}
