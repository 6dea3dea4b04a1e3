// zguard/call_result.hpp - what a typed call() tells its caller, and the
// typed error a service may answer.
//
//   auto r = client.call(request);
//   if (r) use(*r);
//   else if (r.status() == zguard::call_status::refused_at_handshake) ... // our key is not allowed
//   else log(r.reason());
//
// A service handler answers an application error by throwing
// zguard::application_error(code, message): the client's call() returns
// status application_error with that code and message. Any other exception
// stays inside the service (logged as handler.error with its text); the
// client learns only that the handler failed, so internal details do not
// leak to peers.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

#include <zguard/call_status.hpp>
#include <zguard/printable.hpp>
#include <zguard/schema.hpp>

namespace zguard {
inline namespace v0 {

// The message an application error's text may have on the wire.
inline constexpr std::size_t max_application_error_text = 256;

// Thrown by a service handler: answered to the client as a typed error.
// Its message is kept printable (printable.hpp) and cut to
// max_application_error_text bytes between characters, so it is UTF-8 on
// the wire (a cut inside a character made the reply undecodable).
class application_error : public std::runtime_error {
 public:
  application_error(std::uint32_t code, std::string const& message)
      : std::runtime_error(printable(message, max_application_error_text)), code_(code) {}
  std::uint32_t code() const { return code_; }

 private:
  std::uint32_t code_;
};

// The wire form of an application error (docs/wire-format.md).
struct application_error_reply {
  ZGUARD_SCHEMA("zguard.application_error", 1);
  BOOST_HANA_DEFINE_STRUCT(application_error_reply, (std::uint32_t, code),
                           (bounded_string<max_application_error_text>, message));
};

// The text a service's refusal may have on the wire (zguard.refusal's field).
inline constexpr std::size_t max_refusal_text = 128;

// A service's refusal of one request, answered with reply() by a service
// that receives in its own loop: the client's call() returns
// refused_by_service with this text, as for zguard's own refusals. Kept
// printable and cut between characters, like an application error.
class refused {
 public:
  explicit refused(std::string_view why) : reason_(printable(why, max_refusal_text)) {}
  std::string const& reason() const { return reason_; }

 private:
  std::string reason_;  // set once, printable and cut: what goes on the wire
};

namespace detail {
// The longest wait a rate-limited answer may name that a client believes.
inline constexpr std::chrono::milliseconds max_retry_after = std::chrono::hours(1);

// What a rate-limited request is answered (a zguard.refusal's field, from
// a typed REP or ROUTER or a queue's front): "rate limited; retry after N ms",
// N the time until the client's bucket holds a token again.
inline std::string rate_limited_text(std::chrono::milliseconds after) {
  return "rate limited; retry after " + std::to_string(after.count()) + " ms";
}
// Read back by call(): nullopt when the text is no rate limit; else the
// wait it names, 0 when it names none that reads as one (at most
// max_retry_after: the text is the service's, and a client must not be
// told to wait for ever).
inline std::optional<std::chrono::milliseconds> rate_limited_wait(std::string_view text) {
  constexpr std::string_view head = "rate limited", wait = "; retry after ", unit = " ms";
  if (text.substr(0, head.size()) != head) return std::nullopt;
  text.remove_prefix(head.size());
  if (text.substr(0, wait.size()) != wait || text.size() <= wait.size() + unit.size() ||
      text.substr(text.size() - unit.size()) != unit)
    return std::chrono::milliseconds(0);
  auto const digits = text.substr(wait.size(), text.size() - wait.size() - unit.size());
  for (char c : digits)
    if (c < '0' || c > '9') return std::chrono::milliseconds(0);  // decimal digits only, however many
  if (digits.size() > 10) return max_retry_after;                   // more than fits: past an hour anyway
  std::int64_t ms = 0;
  for (char c : digits) ms = ms * 10 + (c - '0');
  return std::min(std::chrono::milliseconds(ms), max_retry_after);
}
}  // namespace detail

// Thrown by call_result::value() when there is no reply to give.
struct call_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

namespace detail {
template <class Tr>
class service_protocol;
struct call_result_access;
}

template <class Reply>
class call_result {
 public:
  call_status status() const { return status_; }
  bool ok() const { return status_ == call_status::replied; }
  explicit operator bool() const { return ok(); }

  Reply const& value() const {
    if (!ok())
      throw call_error("zguard::call_result: no reply: " + std::string(to_string(status_)) +
                       (reason_.empty() ? "" : ": " + reason_));
    return value_;
  }
  Reply const& operator*() const { return value(); }
  Reply const* operator->() const { return &value(); }

  // Why there is no reply, in words: the service's refusal ("rate limited",
  // "envelope: bad_signature", "truncated at lines[1].qty", "handler
  // failed"), the handshake event ("handshake.failed_auth"), the decode
  // error of a malformed reply, the application error's message, or
  // "no reply" / "not sent" for a timeout. Much of it is the peer's text:
  // it is kept printable (printable.hpp: control characters, escape
  // sequences, bidi controls and bytes that are not UTF-8 shown as escapes),
  // so it can go to a terminal or a log line as it is.
  std::string const& reason() const { return reason_; }
  // application_error only: the handler's code.
  std::uint32_t application_code() const { return code_; }
  // rate_limited only: how long the service said to wait before calling
  // again (0 when it did not say; at most an hour).
  std::chrono::milliseconds retry_after() const { return retry_after_; }
  // How many times the request was sent.
  int attempts() const { return attempts_; }

 private:
  template <class Tr>
  friend class detail::service_protocol;
  friend struct detail::call_result_access;
  call_result(call_status s, int attempts, std::string reason = {}, std::uint32_t code = 0)
      : status_(s), reason_(printable(reason)), code_(code), attempts_(attempts) {}
  call_result(Reply v, int attempts) : status_(call_status::replied), value_(std::move(v)), attempts_(attempts) {}
  // A service's refusal, read: a rate limit (with its wait) or any other.
  static call_result refused(int attempts, std::string const& text) {
    if (auto const wait = detail::rate_limited_wait(text)) {
      call_result r(call_status::rate_limited, attempts, text);
      r.retry_after_ = *wait;
      return r;
    }
    return call_result(call_status::refused_by_service, attempts, text);
  }

  call_status status_;
  Reply value_{};
  std::string reason_;
  std::uint32_t code_ = 0;
  int attempts_ = 0;
  std::chrono::milliseconds retry_after_{0};
};

namespace detail {
// A caller (caller.hpp) completes its calls with the results call() gives:
// the service's answer with the attempts it took, or no answer.
struct call_result_access {
  template <class Reply>
  static call_result<Reply> none(call_status s, int attempts, std::string reason) {
    return call_result<Reply>(s, attempts, std::move(reason));
  }
  template <class Reply>
  static call_result<Reply> after(call_result<Reply> r, int attempts) {
    r.attempts_ = attempts;
    return r;
  }
};
}  // namespace detail

}  // namespace v0
}  // namespace zguard
