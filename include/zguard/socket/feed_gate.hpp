// zguard/socket/feed_gate.hpp - whom a server that sends unasked let in,
// and cutting them when one is revoked (socket_traits::gates_subscribers:
// a CURVE or PLAIN server PUB, XPUB, PUSH, DEALER or PAIR; a REP or ROUTER
// only answers, and asks about the peer it answers). Its ZAP gate
// (detail/subscriber_gate.hpp) is installed before any bind or connect,
// so no peer is let in unrecorded, or, when authorized, unjudged.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include <zguard/detail/subscriber_gate.hpp>
#include <zguard/events.hpp>
#include <zguard/permissions.hpp>

namespace zguard {
inline namespace v0 {
namespace detail {

// Zap is the context's zap_handler<D> (auth.hpp): it asks the gate, by the
// ZAP domain the gate is registered under, after its own policy.
template <class Zap>
class feed_gate {
 public:
  feed_gate(Zap& zap, permissions const* perms, std::string topic, event_log& log, std::string const& label)
      : zap_(zap),
        perms_(perms),
        gate_(std::make_shared<subscriber_gate>(zap, perms, std::move(topic), log, label)),
        policy_seen_(zap.generation()),
        name_(zap.add_gate([gate = gate_](std::string_view mechanism, std::string_view user_id,
                                          std::string_view address) { return gate->admit(mechanism, user_id, address); })) {}
  // First of the socket's parts to go: the gate reads the permissions,
  // which need only outlive the socket.
  ~feed_gate() { zap_.remove_gate(name_); }
  feed_gate(feed_gate const&) = delete;
  feed_gate& operator=(feed_gate const&) = delete;

  // The ZAP domain the socket declares instead of its security domain's.
  std::string const& zap_domain() const { return name_; }

  // Before each send: when the ZAP policy or the permissions changed since
  // the last look, the identities the gate let in that are no longer
  // admitted. If there is one, every connection is cut (cut_all: libzmq
  // does not say which connection holds which key), so all reconnect and
  // are judged again; the event names them: session.revoked (the ZAP
  // policy) or authz.revoked (the permissions).
  template <class CutAll>
  void refresh(CutAll&& cut_all, event_log& log, std::string const& label, char const* mechanism) {
    std::uint64_t const policy = zap_.generation();
    std::uint64_t const perms = perms_ ? perms_->generation() : 0;
    if (policy == policy_seen_ && perms == permissions_seen_) return;
    policy_seen_ = policy;
    permissions_seen_ = perms;
    auto const revoked = gate_->revoked();
    if (revoked.empty()) return;
    std::size_t const cut = cut_all();
    std::string by_policy, by_permissions;
    for (auto const& r : revoked) {
      std::string& who = r.policy ? by_policy : by_permissions;
      who += (who.empty() ? "" : " ") + r.identity;
    }
    if (!by_policy.empty())
      log.emit("session.revoked", severity::warning,
               {{"socket", label},
                {"mechanism", mechanism},
                {"identity", by_policy},
                {"address", ""},
                {"connections_cut", std::to_string(cut)}});
    if (!by_permissions.empty())
      log.emit("authz.revoked", severity::warning,
               {{"socket", label},
                {"action", std::string(to_string(action::subscribe))},
                {"subject", gate_->subject()},
                {"identities", by_permissions},
                {"connections_cut", std::to_string(by_policy.empty() ? cut : 0)}});
  }

 private:
  Zap& zap_;
  permissions const* perms_;
  std::shared_ptr<subscriber_gate> gate_;
  std::uint64_t policy_seen_, permissions_seen_ = 0;
  std::string name_;
};

}  // namespace detail
}  // namespace v0
}  // namespace zguard
