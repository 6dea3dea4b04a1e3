// zguard/socket/refused.hpp - what a socket type that breaks a rule is made
// of: its traits (whose static_assert has said which rule, once) and silent
// stand-ins for every operation, so that the user's code using it adds no
// second error ("no member named ...") after zguard's sentence.
#pragma once

#include <optional>
#include <string>

namespace zguard {
inline namespace v0 {
namespace detail {

template <class Tr>
class refused_socket : public Tr {
 public:
  template <class Ctx, class... Args>
  explicit refused_socket(Ctx&, Args&&...) {}
  template <class... A>
  bool send(A&&...) { return false; }
  template <class Msg = void, class... A>
  std::optional<int> receive(A&&...) { return std::nullopt; }
  template <class... A>
  std::optional<int> receive_multipart(A&&...) { return std::nullopt; }
  template <class... A>
  void subscribe(A&&...) {}
  template <class... A>
  std::optional<int> call(A&&...) { return std::nullopt; }
  template <class... A>
  void serve(A&&...) {}
  template <class... A>
  int bind(A&&...) { return 0; }
  template <class... A>
  void connect(A&&...) {}
  static std::string profile() { return {}; }
  static std::string label() { return {}; }
};

}  // namespace detail
}  // namespace v0
}  // namespace zguard
