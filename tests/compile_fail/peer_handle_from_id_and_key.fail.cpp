// MESSAGE[zguard::peer_handle: a reply can only be addressed to a peer obtained from receive\(\) on the ROUTER]
#include "common.hpp"
#include <string>
[[maybe_unused]] void f() {
  zg::peer_handle victim(std::string("victim"), std::string("victim's key"));  // the private constructor's shape
}
