// zguard/detail/flag_scope.hpp - a flag set for as long as a scope lives:
// how a socket is told, for one handler or one answer, not to wait.
#pragma once

namespace zguard {
inline namespace v0 {
namespace detail {

class flag_scope {
 public:
  explicit flag_scope(bool& flag) : flag_(flag) { flag_ = true; }
  ~flag_scope() { flag_ = false; }
  flag_scope(flag_scope const&) = delete;
  flag_scope& operator=(flag_scope const&) = delete;

 private:
  bool& flag_;
};

}  // namespace detail
}  // namespace v0
}  // namespace zguard
