// MESSAGE[a reply can only be addressed to a peer obtained from receive\(\) on the ROUTER]
// A routing id chosen from raw bytes cannot become a peer_handle (and a
// ROUTER answers only with reply(request, answer), to the request's own).
#include "common.hpp"
[[maybe_unused]] void f() {
  zg::peer_handle victim(std::string("victim"));  // a routing id chosen by someone else
}
