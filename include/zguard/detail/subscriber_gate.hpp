// zguard/detail/subscriber_gate.hpp - who a feed (a CURVE or PLAIN server
// PUB or XPUB) let in, and, when it is authorized, who may subscribe to it,
// decided when the subscriber connects (G3, G18).
//
// A feed only sends: no message from a subscriber passes through a receive
// that could be judged (detail/live_admission.hpp), and libzmq 4.3.4 does
// not say which connection holds which key. So the gate records every
// identity it let in; when the context's ZAP policy or the permissions
// change, the feed asks revoked() before its next send and, if an identity
// it let in is no longer admitted, cuts every connection: all reconnect,
// and the ZAP handler refuses the revoked one.
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
#include <tuple>
#include <utility>
#include <vector>

#include <zguard/auth.hpp>
#include <zguard/detail/compiled.hpp>
#include <zguard/events.hpp>
#include <zguard/identity.hpp>
#include <zguard/permissions.hpp>

namespace zguard {
inline namespace v0 {
namespace detail {

class subscriber_gate {
 public:
  // perms: null when the feed is not authorized (every peer the ZAP policy
  // lets in may subscribe). `topic` empty: every topic (a forwarder's back).
  subscriber_gate(zap_core& zap, permissions const* perms, std::string topic, event_log& log,
                  std::string socket_label)
      : zap_(zap), perms_(perms), topic_(std::move(topic)), log_(log), label_(std::move(socket_label)) {}

  // zap_core::gate: "" to admit, else why not. Runs on the ZAP thread.
  ZGUARD_DECL std::string admit(std::string_view mechanism, std::string_view user_id, std::string_view address);

  // The identities let in before that are no longer admitted: by the ZAP
  // policy in force (policy: true) or by the permissions in force (false).
  // They are forgotten (checked again when they reconnect).
  struct revocation {
    std::string identity;
    bool policy;
  };
  ZGUARD_DECL std::vector<revocation> revoked();

  std::string subject() const { return topic_.empty() ? std::string("every topic") : topic_; }

 private:
  bool permitted(identity_kind kind, std::string_view id) const {
    if (!perms_) return true;
    return topic_.empty() ? perms_->permits_prefix(kind, id, action::subscribe, "")
                          : perms_->permits(kind, id, action::subscribe, topic_);
  }

  static constexpr std::size_t max_recorded = 65536;
  zap_core& zap_;
  permissions const* perms_;
  std::string const topic_;
  event_log& log_;
  std::string const label_;
  std::mutex mu_;
  // mechanism, User-Id, address: at most the identities the ZAP policy allows (and their addresses)
  std::set<std::tuple<std::string, std::string, std::string>> admitted_;
  bool overflowed_ = false;
};

}  // namespace detail
}  // namespace v0
}  // namespace zguard

#if !defined(ZGUARD_SEPARATE_COMPILATION)
#include <zguard/impl/subscriber_gate.ipp>
#endif
