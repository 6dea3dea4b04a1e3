// zguard/detail/live_admission.hpp - a server socket's sessions judged by
// the ZAP policy as it is now, not only as it was at their handshake (G3).
//
// libzmq asks the ZAP handler once, when a peer connects; with heartbeats a
// session can live for months. So every message a CURVE or PLAIN server
// receives is held against the authenticator's policy of the moment
// (zap_core::still_allows, asked once per identity per policy generation:
// one atomic load and one hash lookup a message in steady state). A peer
// no longer allowed (revoked key, certificate removed and reloaded, user
// removed, address denied) has the message dropped and the connection it
// came in on shut down (shutdown(2), found by ZMQ_SRCFD and checked
// against the monitor's record of that descriptor), so its client sees a
// refused handshake when it reconnects. The typed socket, the raw socket
// and the proxy's sides all call this one check.
#pragma once

#include <zmq.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_set>

#include <zguard/auth.hpp>
#include <zguard/detail/monitor.hpp>
#include <zguard/events.hpp>

namespace zguard {
inline namespace v0 {
namespace detail {

class live_admission {
 public:
  // zap: the context's handler (kept alive by the socket's share of it);
  // mechanism: "CURVE" or "PLAIN", the socket's own.
  live_admission(zap_core* zap, std::string_view mechanism) : zap_(zap), mechanism_(mechanism) {}

  // Whether the message whose last frame this is comes from a peer the
  // policy still admits. If not: logged as session.revoked, its connection
  // shut down (monitor), and false.
  bool admits(zmq::message_t const& last_frame, socket_monitor* monitor, event_log& log, std::string_view label) {
    if (!zap_) return true;
    char const* uid = zmq_msg_gets(last_frame.handle(), "User-Id");
    // No User-Id: not a peer's message (an XPUB's unsubscription for a pipe
    // that closed); every message of a CURVE or PLAIN session carries the
    // one zguard's handler gave it.
    if (!uid) return true;
    char const* addr = zmq_msg_gets(last_frame.handle(), "Peer-Address");
    std::string_view const user_id = uid, address = addr ? addr : "";
    if (allows(user_id, address)) return true;
    // Cut only a connection opened before the policy changed: one opened
    // since was judged under the new policy, so it is not this peer's (its
    // descriptor number may be one the revoked peer's closed one had).
    bool const cut = monitor && monitor->cut_connection_of(last_frame, zap_->changed_at());
    revoked(log, label, user_id, address, cut);
    return false;
  }

  // The same for a peer a reply is addressed to (a ROUTER's peer_handle, a
  // queue's client): false, logged, when the policy no longer admits it.
  bool admits_identity(std::string_view user_id, std::string_view address, event_log& log, std::string_view label) {
    if (!zap_ || allows(user_id, address)) return true;
    revoked(log, label, user_id, address, false);
    return false;
  }

 private:
  bool allows(std::string_view user_id, std::string_view address) {
    auto const now = zap_->generation();
    if (now != seen_) {
      seen_ = now;
      allowed_.clear();
    }
    key_.assign(user_id).append(1, '\0').append(address);
    if (allowed_.count(key_)) return true;
    if (!zap_->still_allows(mechanism_, user_id, address)) return false;
    if (allowed_.size() >= 4096) allowed_.clear();  // bounded: a busy server re-asks now and then
    allowed_.insert(key_);
    return true;
  }
  void revoked(event_log& log, std::string_view label, std::string_view user_id, std::string_view address, bool cut) {
    log.emit("session.revoked", severity::warning,
             {{"socket", std::string(label)},
              {"mechanism", mechanism_},
              {"identity", std::string(user_id)},
              {"address", std::string(address)},
              {"connections_cut", cut ? "1" : "0"}});
  }

  zap_core* zap_;
  std::string mechanism_;
  std::uint64_t seen_ = 0;
  std::unordered_set<std::string> allowed_;  // User-Id '\0' address, admitted at generation seen_
  std::string key_;                          // reused: no allocation per message
};

}  // namespace detail
}  // namespace v0
}  // namespace zguard
