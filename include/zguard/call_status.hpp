// zguard/call_status.hpp - how a call ended (call_result.hpp says more):
// apart, so the metrics can name each status without the schema code.
#pragma once

#include <string_view>

namespace zguard {
inline namespace v0 {

enum class call_status {
  replied,               // the reply, decoded (and verified, on a signed socket)
  timed_out,             // no reply in any attempt: service down, slow, or unreachable
  refused_at_handshake,  // the service refused this client's key or credentials (ZAP), or the handshake failed
  refused_by_service,    // the service refused the request: malformed, bad envelope or vouch, not permitted, handler failed
  malformed_reply,       // a reply came that did not decode (or, when signed, did not verify)
  application_error,     // the handler answered an application_error
  rate_limited,          // the service, or the queue in front of it, refused the request for this client's rate
  too_many_in_flight     // a caller (caller.hpp) already had its limit of calls in flight: not sent
};

constexpr std::string_view to_string(call_status s) {
  switch (s) {
    case call_status::replied: return "replied";
    case call_status::timed_out: return "timed_out";
    case call_status::refused_at_handshake: return "refused_at_handshake";
    case call_status::refused_by_service: return "refused_by_service";
    case call_status::malformed_reply: return "malformed_reply";
    case call_status::application_error: return "application_error";
    case call_status::rate_limited: return "rate_limited";
    case call_status::too_many_in_flight: return "too_many_in_flight";
  }
  return "unknown";
}

}  // namespace v0
}  // namespace zguard
