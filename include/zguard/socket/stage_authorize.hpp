// zguard/socket/stage_authorize.hpp - receive stage "authorize" (G18): an
// authorized service lets a peer call it only when its permissions allow
// calling the request schema's name; judged before verification and
// decoding, so a peer that may not call costs one lookup.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <zguard/channel.hpp>
#include <zguard/detail/policy_set.hpp>
#include <zguard/events.hpp>
#include <zguard/identity.hpp>
#include <zguard/one_of.hpp>
#include <zguard/permissions.hpp>
#include <zguard/socket/deliveries.hpp>
#include <zguard/socket/verdict.hpp>

namespace zguard {
inline namespace v0 {
namespace detail {

// The subject a call is judged on before decoding: the request schema's
// name (a one_of of versions of one schema: the name they share).
template <class Request>
constexpr std::string_view call_subject() {
  return common_schema_name<Request>();
}

// Whether a service's requests share one schema name (the call permission's
// subject, judged before decoding): always for one schema, for a one_of when
// all its versions do. Otherwise each request is judged by the schema name
// in its header, before decoding (socket/receive_path.hpp).
template <class C>
consteval bool one_call_subject() {
  if constexpr (is_missing<C>) return true;
  else if constexpr (C::kind != channel_kind::service) return true;
  else return !common_schema_name<typename C::request_type>().empty();
}

// The subject of one request: its schema's name; a one_of of several
// schemas: the name of the one it holds.
template <class Request>
std::string_view call_subject_of(Request const& request) {
  if constexpr (is_one_of<Request>) {
    if constexpr (!common_schema_name<Request>().empty()) return common_schema_name<Request>();
    else return request.id().name;
  } else {
    return (void)request, Request::zguard_schema_id.name;
  }
}

// Whether the peer may call `subject`: behind a broker (Vouched) the client
// it vouched for, as the kind it vouched (never guessed from the text: a
// PLAIN user may be named like a key), else the ZAP User-Id of the
// connection as the socket's mechanism `own` authenticates it (a CURVE key,
// a PLAIN user). No one (behind a NULL front) may call. A denial is logged
// as authz.denied.
template <bool Vouched>
bool call_permitted(permissions const& rules, std::optional<identity_kind> own, std::string_view subject,
                    peer_info const& peer, event_log& log, std::string const& label) {
  std::string_view const who = Vouched ? peer.vouched_client.view() : peer.user_id.view();
  std::optional<identity_kind> const kind = Vouched ? peer.vouched_kind : own;
  if (kind && rules.permits(*kind, who, action::call, subject)) return true;
  log.emit("authz.denied", severity::warning,
           {{"socket", label},
            {"action", std::string(to_string(action::call))},
            {"subject", std::string(subject)},
            {"identity", std::string(who)},
            {"identity_kind", std::string(identity_kind_text(kind))},
            {"user_id", peer.user_id},
            {"address", peer.peer_address},
            // No one (a client behind a NULL front) has no rules to meet.
            {"reason", kind ? "not permitted" : "no identity"}});
  return false;
}

// What a denied call is answered (here, and by a service whose caller lost
// the permission while its request was held).
inline std::string not_permitted_answer(std::string_view subject) {
  return "not permitted: call " + std::string(subject);
}

// The stage: a denied call is answered "not permitted: call <subject>".
template <bool Vouched>
verdict authorize_stage(permissions const& rules, std::optional<identity_kind> own, std::string_view subject,
                        peer_info const& peer, event_log& log, std::string const& label) {
  if (call_permitted<Vouched>(rules, own, subject, peer, log, label)) return verdict::accept();
  return verdict::answer(decode_reason::peer_refused, not_permitted_answer(subject));
}

}  // namespace detail
}  // namespace v0
}  // namespace zguard
