// zguard/detail/subscriber_gate.hpp - who may subscribe to an authorized
// XPUB, decided when the subscriber connects (G18).
//
// libzmq 4.3.4's ZMQ_XPUB_MANUAL cannot apply subscriptions one by one
// safely: a subscription read after its connection closed leaves the XPUB
// pointing at the freed pipe, and ZMQ_SUBSCRIBE then puts that pointer in
// its subscription trie, to be read on the next send (fixed upstream after
// 4.3.4, in a release Debian 12 does not ship). A peer that subscribes and
// disconnects could corrupt the publisher's memory. So an authorized XPUB
// does not filter subscriptions: it admits subscribers. The context's ZAP
// handler asks this gate after its own policy allowed a peer (the socket's
// ZAP domain names the gate), and libzmq applies the subscriptions of those
// let in. An XPUB's feed is one topic, so "may subscribe to the topic" is
// a property of the connection; a forwarder's back carries any topic, so
// there a subscriber must be allowed every topic.
#pragma once

#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <zguard/events.hpp>
#include <zguard/identity.hpp>
#include <zguard/permissions.hpp>

namespace zguard {
inline namespace v0 {
namespace detail {

class subscriber_gate {
 public:
  // `topic` empty: every topic (a forwarder's back).
  subscriber_gate(permissions const& perms, std::string topic, event_log& log, std::string socket_label)
      : perms_(perms), topic_(std::move(topic)), log_(log), label_(std::move(socket_label)) {}

  // zap_core::gate: "" to admit, else why not. Runs on the ZAP thread.
  std::string admit(std::string_view mechanism, std::string_view user_id, std::string_view address) {
    // The mechanism says which kind the id is, not its text. No one (NULL)
    // is let in: an authorized XPUB is a CURVE or PLAIN server anyway.
    std::optional<identity_kind> const kind = mechanism == "CURVE"   ? identity_kind_of(mechanism_kind::curve)
                                              : mechanism == "PLAIN" ? identity_kind_of(mechanism_kind::plain)
                                                                     : std::nullopt;
    if (kind) {
      // Judged and recorded in one step: a revoked() between the two would
      // miss an identity let in under the set it replaced.
      std::lock_guard lock(mu_);
      if (permitted(*kind, user_id)) {
        admitted_.emplace(*kind, std::string(user_id));
        return {};
      }
    }
    log_.emit("authz.denied", severity::warning,
              {{"socket", label_},
               {"action", std::string(to_string(action::subscribe))},
               {"subject", subject()},
               {"identity", std::string(user_id)},
               {"identity_kind", std::string(identity_kind_text(kind))},
               {"user_id", std::string(user_id)},
               {"address", std::string(address)}});
    return "not permitted: subscribe " + subject();
  }

  // The identities let in before that the permissions in force no longer
  // let in; they are forgotten (checked again when they reconnect).
  std::vector<std::string> revoked() {
    std::lock_guard lock(mu_);
    std::vector<std::string> out;
    for (auto it = admitted_.begin(); it != admitted_.end();) {
      if (permitted(it->first, it->second)) {
        ++it;
      } else {
        out.push_back(it->second);
        it = admitted_.erase(it);
      }
    }
    return out;
  }

  std::string subject() const { return topic_.empty() ? std::string("every topic") : topic_; }

 private:
  bool permitted(identity_kind kind, std::string_view id) const {
    return topic_.empty() ? perms_.permits_prefix(kind, id, action::subscribe, "")
                          : perms_.permits(kind, id, action::subscribe, topic_);
  }

  permissions const& perms_;
  std::string const topic_;
  event_log& log_;
  std::string const label_;
  std::mutex mu_;
  std::set<std::pair<identity_kind, std::string>> admitted_;  // at most the keys or users the ZAP policy allows
};

}  // namespace detail
}  // namespace v0
}  // namespace zguard
