// zguard/socket/deliveries.hpp - what a socket hands out: the peer facts
// of a message, and the proof types received<T>, verified<T>, routed<T>.
#pragma once

#include <zmq.hpp>

#include <array>
#include <cstdint>
#include <cstring>
#include <optional>
#include <ostream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include <zguard/detail/seal_box.hpp>
#include <zguard/detail/policy_set.hpp>
#include <zguard/envelope.hpp>
#include <zguard/identity.hpp>
#include <zguard/router.hpp>

namespace zguard {
inline namespace v0 {

namespace detail {
template <class Tr>
class receive_path;
}  // namespace detail

// A short text a connection carries (a user id, an address), held inline:
// reading the peer facts of a message allocates nothing. Reads as a
// std::string_view, converts to std::string, compares with text.
template <std::size_t Capacity>
class peer_text {
 public:
  // Only the bytes in use are ever written, copied or read: a peer_info
  // travels with every message, and most of its capacity is empty.
  peer_text() noexcept {}  // NOLINT(modernize-use-equals-default): leaves the unused bytes alone
  peer_text(peer_text const& o) noexcept : size_(o.size_) { std::memcpy(data_, o.data_, size_); }
  peer_text& operator=(peer_text const& o) noexcept {
    size_ = o.size_;
    std::memmove(data_, o.data_, size_);
    return *this;
  }
  peer_text(std::string_view s) { assign(s); }  // NOLINT: text in, as std::string's
  peer_text(char const* s) : peer_text(std::string_view(s)) {}  // NOLINT
  peer_text(std::string const& s) : peer_text(std::string_view(s)) {}  // NOLINT

  std::string_view view() const { return {data_, size_}; }
  operator std::string_view() const { return view(); }  // NOLINT: reads as text
  operator std::string() const { return std::string(view()); }  // NOLINT: event fields, concatenation
  std::string str() const { return std::string(view()); }
  std::string_view substr(std::size_t pos, std::size_t n = std::string_view::npos) const { return view().substr(pos, n); }
  bool empty() const { return size_ == 0; }
  std::size_t size() const { return size_; }
  friend bool operator==(peer_text const& a, std::string_view b) { return a.view() == b; }
  friend std::ostream& operator<<(std::ostream& os, peer_text const& t) { return os << t.view(); }
  friend std::string operator+(std::string a, peer_text const& b) { return a.append(b.view()); }
  friend std::string operator+(peer_text const& a, std::string_view b) { return a.str().append(b); }

 private:
  // Longer texts do not occur: zguard's authenticator sets user ids (a
  // CURVE key in Z85, a PLAIN user name of at most 255 bytes) and libzmq
  // the address. One that did would be refused, never cut: a cut id could
  // equal another.
  void assign(std::string_view s) {
    if (s.size() > Capacity) throw std::length_error("zguard::peer_text: longer than " + std::to_string(Capacity));
    if (!s.empty()) std::memcpy(data_, s.data(), s.size());  // an empty view's data() may be null
    size_ = s.size();
  }
  char data_[Capacity];
  std::size_t size_ = 0;
};

// Peer facts libzmq attaches to each received message.
struct peer_info {
  peer_text<255> user_id;      // set by the authenticator: Z85 key (CURVE), user name (PLAIN)
  peer_text<63> peer_address;  // IP for tcp; host:uid:gid:pid for ipc (libzmq, SO_PEERCRED)
  // Behind a vouching broker (a vouched<...> socket): the client's
  // authenticated id as the broker saw it, checked with the shared key,
  // and its kind (a CURVE key or a PLAIN user: the broker's front
  // mechanism says which; a key's text and a user's name may be equal).
  // Empty on other sockets, and for a client behind a NULL front.
  peer_text<255> vouched_client;
  std::optional<identity_kind> vouched_kind;
};

inline void read_peer(zmq::message_t const& msg, peer_info& p) {
  char const* v = zmq_msg_gets(msg.handle(), "User-Id");
  p.user_id = v ? std::string_view(v) : std::string_view();
  v = zmq_msg_gets(msg.handle(), "Peer-Address");
  p.peer_address = v ? std::string_view(v) : std::string_view();
  p.vouched_client = std::string_view();
  p.vouched_kind.reset();
}

inline peer_info peer_of(zmq::message_t const& msg) {
  peer_info p;
  read_peer(msg, p);
  return p;
}

// received<T>, verified<T> and routed<T> vouch for what zguard checked (the
// peer's authenticated id, the signature, the reply handle): only a socket
// makes them, and their members are const, so neither a change in place nor
// an assignment can put unchecked content under the checked type. Copies
// carry the same facts. Take the value out with a copy (or bind a const&).
namespace detail {
template <class Self, class... Args>
inline constexpr bool made_only_by_socket =
    !(sizeof...(Args) == 1 && (std::is_same_v<std::remove_cvref_t<Args>, Self> && ...));
}  // namespace detail

// A decoded message and who sent it.
template <class Msg>
class received {
 public:
  template <class... Args>
    requires detail::made_only_by_socket<received, Args...>
  explicit received(Args&&...) : received(refused()) {  // NOLINT: exists only to explain why it cannot be used
    static_assert(detail::dependent_false<void(Args...)>,
                  "zguard::received<T>: only a socket's receive() makes one; it vouches for "
                  "the peer's authenticated identity");
  }
  received(received const&) = default;
  received& operator=(received const&) {  // NOLINT: exists only to explain why it cannot be used
    static_assert(detail::dependent_false<Msg>,
                  "zguard::received<T>: cannot be assigned; what it vouches for stays as the socket made "
                  "it (copy-construct a new one instead)");
    return *this;
  }

  Msg const value;
  peer_info const peer;

 private:
  received(Msg v, peer_info p)  // zguard: only a socket makes a received<T>
      : value(std::move(v)), peer(std::move(p)) {}
  static received const& refused();  // never defined: only the diagnostic above is reached
  std::uint64_t request_owner_ = 0, request_ = 0;  // a service's ticket for this request: its answer goes out once (reply())
  std::uint64_t call_id_ = 0;  // a correlated request's call id: its answer echoes it
  template <class Tr>
  friend class detail::receive_path;
};

// A message whose envelope verified (signature, key, topic, freshness,
// replay) and whose payload decoded. Only a signed socket makes one.
template <class Msg>
class verified {
 public:
  template <class... Args>
    requires detail::made_only_by_socket<verified, Args...>
  explicit verified(Args&&...) : verified(refused()) {  // NOLINT: exists only to explain why it cannot be used
    static_assert(detail::dependent_false<void(Args...)>,
                  "zguard::verified<T>: only a signed socket's receive() makes one, after "
                  "the signature, key, topic, freshness and replay checks passed (G7)");
  }
  verified(verified const&) = default;
  verified& operator=(verified const&) {  // NOLINT: exists only to explain why it cannot be used
    static_assert(detail::dependent_false<Msg>,
                  "zguard::verified<T>: cannot be assigned; what it vouches for stays as the socket made "
                  "it (copy-construct a new one instead)");
    return *this;
  }

  Msg const value;
  signed_origin const origin;  // key id, publisher epoch, sequence, timestamp
  peer_info const peer;

 private:
  verified(Msg v, signed_origin o, peer_info p)  // zguard: only a signed socket makes a verified<T>
      : value(std::move(v)), origin(o), peer(std::move(p)) {}
  static verified const& refused();  // never defined: only the diagnostic above is reached
  std::uint64_t request_owner_ = 0, request_ = 0;  // a service's ticket for this request: its answer goes out once (reply())
  std::uint64_t call_id_ = 0;  // a correlated request's call id: its answer echoes it
  template <class Tr>
  friend class detail::receive_path;
};

// A message a ROUTER received: the value, the peer facts, the handle to
// reply with (bound to the sender's authenticated key), and on a signed
// socket who signed it.
template <class Msg>
class routed {
 public:
  template <class... Args>
    requires detail::made_only_by_socket<routed, Args...>
  explicit routed(Args&&...) : routed(refused()) {  // NOLINT: exists only to explain why it cannot be used
    static_assert(detail::dependent_false<void(Args...)>,
                  "zguard::routed<T>: only a ROUTER's receive() makes one; its peer_handle "
                  "is bound to the sender's authenticated key (G8)");
  }
  routed(routed const&) = default;
  routed& operator=(routed const&) {  // NOLINT: exists only to explain why it cannot be used
    static_assert(detail::dependent_false<Msg>,
                  "zguard::routed<T>: cannot be assigned; what it vouches for stays as the socket made "
                  "it (copy-construct a new one instead)");
    return *this;
  }

  Msg const value;
  peer_info const peer;
  peer_handle const from;
  signed_origin const origin;  // zero unless the socket verifies signatures

 private:
  routed(Msg v, peer_info p, peer_handle h, signed_origin o)  // zguard: only a ROUTER makes a routed<T>
      : value(std::move(v)), peer(std::move(p)), from(std::move(h)), origin(o) {}
  static routed const& refused();  // never defined: only the diagnostic above is reached
  std::uint64_t request_owner_ = 0, request_ = 0;  // a service's ticket for this request: its answer goes out once (reply())
  std::uint64_t call_id_ = 0;  // a correlated request's call id: its answer echoes it
  detail::answer_key answer_;  // a sealed request's: its answer is sealed with it (G19)
  template <class Tr>
  friend class detail::receive_path;
};

// A reusable place to receive into, for loops that must not allocate: the
// socket decodes each message into the same value, so its strings and byte
// fields keep their storage. Like received<T> and verified<T>, only a socket
// fills it (receive(inbox)), and what it holds is read-only to the user; it
// is valid until the next receive into it.
//
//   zg::inbox<reading> in;
//   while (pull.receive(in)) use(in.value(), in.peer());
template <class Msg>
class inbox {
 public:
  inbox() = default;
  inbox(inbox const&) = delete;  // one place, filled by one socket
  inbox& operator=(inbox const&) = delete;

  Msg const& value() const { return value_; }
  peer_info const& peer() const { return peer_; }
  signed_origin const& origin() const { return origin_; }  // zero unless the socket verifies signatures

 private:
  template <class Tr>
  friend class detail::receive_path;
  Msg value_{};
  peer_info peer_;
  signed_origin origin_{};
};

}  // namespace v0
}  // namespace zguard
