// zguard/impl/subscriber_gate.ipp - the definitions of zguard/detail/subscriber_gate.hpp
// that ZGUARD_DECL declares: inline in every translation unit, or compiled once with
// ZGUARD_SEPARATE_COMPILATION (zguard/detail/compiled.hpp).
#pragma once

#include <zguard/detail/subscriber_gate.hpp>

namespace zguard {
inline namespace v0 {
namespace detail {

ZGUARD_DECL std::string subscriber_gate::admit(std::string_view mechanism, std::string_view user_id,
                                              std::string_view address) {
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
      if (admitted_.size() < max_recorded)
        admitted_.insert({std::string(mechanism), std::string(user_id), std::string(address)});
      else
        overflowed_ = true;  // too many to tell apart: the next change cuts every connection
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
             {"address", std::string(address)},
             // A NULL peer is no one: only a CURVE key or a PLAIN user can be permitted.
             {"reason", kind ? "not permitted" : "no identity"}});
  return "not permitted: subscribe " + subject();
}

ZGUARD_DECL std::vector<subscriber_gate::revocation> subscriber_gate::revoked() {
  std::vector<revocation> out;
  decltype(admitted_) snapshot;
  {
    std::lock_guard lock(mu_);
    if (overflowed_) {
      overflowed_ = false;
      admitted_.clear();
      out.push_back({"(more than " + std::to_string(max_recorded) + " identities)", true});
      return out;
    }
    snapshot = admitted_;
  }
  // Judged without this gate's lock: the ZAP thread holds the handler's
  // lock while it asks admit(), and still_allows takes that lock.
  std::vector<decltype(admitted_)::value_type> gone;
  for (auto const& entry : snapshot) {
    auto const& [mechanism, id, address] = entry;
    identity_kind const kind = mechanism == "CURVE" ? identity_kind::key : identity_kind::user;
    bool const by_policy = !zap_.still_allows(mechanism, id, address);
    if (by_policy || !permitted(kind, id)) {
      out.push_back({id, by_policy});
      gone.push_back(entry);
    }
  }
  std::lock_guard lock(mu_);
  for (auto const& entry : gone) admitted_.erase(entry);
  return out;
}

}  // namespace detail
}  // namespace v0
}  // namespace zguard
