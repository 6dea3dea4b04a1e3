// zguard/socket/stage_route.hpp - receive stage "route" (G8): a ROUTER
// takes a message only from a routing id libzmq assigned and that is bound
// to the key it came with (socket/routing.hpp); the handle to reply with is
// made here, and the address frames are set aside.
#pragma once

#include <string>

#include <zguard/events.hpp>
#include <zguard/socket/incoming.hpp>
#include <zguard/socket/routing.hpp>
#include <zguard/socket/verdict.hpp>

namespace zguard {
inline namespace v0 {
namespace detail {

// A refused routing id is skipped, never answered: the answer would follow
// the id to whoever holds it (router_peers::admit logged why).
inline verdict route_stage(router_peers& peers, incoming& in, socket_monitor* monitor, event_log& log,
                           std::string const& label) {
  in.from = peers.admit(in.frames, in.peer, monitor, log, label, in.skip);
  return in.from ? verdict::accept() : verdict::skip();
}

}  // namespace detail
}  // namespace v0
}  // namespace zguard
