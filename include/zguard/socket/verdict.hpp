// zguard/socket/verdict.hpp - what one receive stage decides about the
// message in hand. Every stage returns one; the receive path applies it in
// one place (receive_path::settle), so a refusal is logged, counted and
// answered the same way whichever stage made it.
#pragma once

#include <cstdint>
#include <string>
#include <utility>

#include <zguard/codec.hpp>

namespace zguard {
inline namespace v0 {
namespace detail {

class verdict {
 public:
  enum class kind : std::uint8_t {
    accept,             // on to the next stage
    skip,               // dropped quietly: the stage logged what it had to (or nothing is wrong)
    refuse,             // dropped, logged as message.refused with error()
    answer,             // dropped; the stage logged its own event; the sender is told error()
    refuse_and_answer,  // dropped, logged as message.refused and the sender told error()
  };

  static verdict accept() { return verdict(kind::accept, {}); }
  static verdict skip() { return verdict(kind::skip, {}); }
  static verdict refuse(decode_error e) { return verdict(kind::refuse, std::move(e)); }
  // The stage emitted its event (rate.limited, vouch.refused, ...): only the
  // answer is left, with `reason` and `field` as the refusal's.
  static verdict answer(decode_reason reason, std::string field) {
    return verdict(kind::answer, decode_error{reason, std::move(field), 0});
  }
  static verdict refuse_and_answer(decode_error e) { return verdict(kind::refuse_and_answer, std::move(e)); }

  kind what() const { return what_; }
  bool accepted() const { return what_ == kind::accept; }
  // Logged as message.refused by the receive path (the others log their own event).
  bool logs_refusal() const { return what_ == kind::refuse || what_ == kind::refuse_and_answer; }
  // The sender is told why (where its pattern lets us: REP, ROUTER). A REQ
  // gives up the reply it waits for: it must send before it may receive.
  bool answers() const { return what_ == kind::answer || what_ == kind::refuse_and_answer; }
  decode_error const& error() const { return error_; }

 private:
  verdict(kind k, decode_error e) : what_(k), error_(std::move(e)) {}
  kind what_;
  decode_error error_;  // empty strings when accepted: nothing is allocated on the way through
};

}  // namespace detail
}  // namespace v0
}  // namespace zguard
