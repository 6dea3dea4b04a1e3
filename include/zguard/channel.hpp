// zguard/channel.hpp - what a socket may carry (G9, G5).
//
// A channel is an optional sixth policy of zguard::socket. With one, the
// socket sends and receives only the channel's schemas (send,
// receive, call, serve), and a schema whose largest
// encoding exceeds the socket's max_message_size does not compile.
//
//   service<Request, Reply>   REQ/DEALER send Request, REP/ROUTER send Reply
//   topic<"name", S>          PUB/XPUB send S under the topic frame "name",
//                             SUB/XSUB receive it (exact topic match)
//   stream<S>                 PUSH sends S, PULL receives it
//   topics<topic<"a", A>, topic<"b", B>, ...>
//                             SUB only: subscribes at run time to any of the
//                             declared topics (subscribe("a")), receives each
//                             message as its topic's schema
//
// Where a channel takes a schema it also takes one_of<A, B, ...> (one_of.hpp):
// the socket sends any alternative and receives whichever arrived.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <utility>
#include <variant>
#include <string_view>
#include <type_traits>

#include <zguard/codec.hpp>
#include <zguard/detail/closed.hpp>
#include <zguard/fixed_string.hpp>
#include <zguard/one_of.hpp>
#include <zguard/pattern.hpp>
#include <zguard/schema.hpp>
#include <zguard/slots.hpp>

namespace zguard {
inline namespace v0 {

enum class channel_kind { service, topic, stream, topic_set };

// A socket decodes each message from frames it frees before returning, so
// a value it hands out must own its bytes: a schema with a view field
// (bounded_string_view, bounded_bytes_view), at any depth, cannot be a
// channel's schema.
#define ZGUARD_CHANNEL_VIEW_TEXT                                                                         \
  "zguard channel: a schema with a bounded_string_view / bounded_bytes_view field (at any depth) cannot " \
  "be carried by a socket: the socket frees the received frames, so the view would dangle; use "         \
  "bounded_string<N> / bounded_bytes<N>, which own their bytes (views are for zguard::decode() over a "  \
  "buffer the caller keeps)"

template <class Request, class Reply>
  requires(detail::carriable<Request> && detail::carriable<Reply>)
struct service {
  // A one_of's own rules first (one_of.hpp): nothing below is checked on a broken one.
  using zguard_rules_hold =
      std::bool_constant<detail::carried_rules_hold<Request>() && detail::carried_rules_hold<Reply>()>;
  static_assert(!detail::carries_view_field<Request>() && !detail::carries_view_field<Reply>(),
                ZGUARD_CHANNEL_VIEW_TEXT);
  using zguard_slot = slot::channel;
  static constexpr channel_kind kind = channel_kind::service;
  using request_type = Request;
  using reply_type = Reply;
};

template <fixed_string Name, class S>
  requires(detail::carriable<S>)
struct topic {
  static_assert(Name.size() >= 1 && Name.size() <= 255, "zguard::topic<\"name\", S>: the name must be 1..255 bytes");
  using zguard_rules_hold = std::bool_constant<detail::carried_rules_hold<S>()>;
  static_assert(!detail::carries_view_field<S>(), ZGUARD_CHANNEL_VIEW_TEXT);
  using zguard_slot = slot::channel;
  static constexpr channel_kind kind = channel_kind::topic;
  static constexpr std::string_view name = Name.view();
  using message_type = S;
};

template <class S>
  requires(detail::carriable<S>)
struct stream {
  using zguard_rules_hold = std::bool_constant<detail::carried_rules_hold<S>()>;
  static_assert(!detail::carries_view_field<S>(), ZGUARD_CHANNEL_VIEW_TEXT);
  using zguard_slot = slot::channel;
  static constexpr channel_kind kind = channel_kind::stream;
  using message_type = S;
};

namespace detail {
struct topic_tags {
  static consteval bool of(...) { return false; }
  template <fixed_string N, class S>
  static consteval bool of(topic<N, S>**) { return true; }
};
template <class T>
concept is_topic_tag = closed_member<topic_tags, T>;

template <class... Ts>
constexpr bool distinct_topic_names() {
  constexpr std::string_view names[] = {Ts::name...};
  for (std::size_t i = 0; i < sizeof...(Ts); ++i)
    for (std::size_t j = i + 1; j < sizeof...(Ts); ++j)
      if (names[i] == names[j]) return false;
  return true;
}
}  // namespace detail

// What a topics<...> SUB receives: the message of the topic it came on, as
// a std::variant indexed by the topic's place in the declaration (two
// topics may carry the same schema); topic() names it.
template <class... Topics>
class topic_message : public std::variant<typename Topics::message_type...> {
 public:
  using variant_type = std::variant<typename Topics::message_type...>;
  using variant_type::variant;
  static constexpr std::array<std::string_view, sizeof...(Topics)> names{Topics::name...};
  std::string_view topic() const { return names[this->index()]; }
  variant_type const& as_variant() const& { return *this; }
  variant_type& as_variant() & { return *this; }
};

// A subscriber's set of topics, each a name bound to its schema, of which it
// chooses at run time: subscribe(name) takes a declared name only (another
// throws std::invalid_argument), and a message is delivered only when its
// topic frame is exactly a name subscribed to now (not a prefix match).
template <class... Topics>
  requires(detail::is_topic_tag<Topics> && ...)
struct topics {
  static_assert(sizeof...(Topics) >= 2,
                "zguard::topics<topic<\"a\", A>, topic<\"b\", B>, ...>: at least two topics; one is a "
                "topic<\"name\", S> channel");
  static_assert(detail::distinct_topic_names<Topics...>(),
                "zguard::topics<...>: two topics have the same name; a message could not say which it is");
  using zguard_slot = slot::channel;
  static constexpr channel_kind kind = channel_kind::topic_set;
  static constexpr std::size_t count = sizeof...(Topics);
  static constexpr std::array<std::string_view, sizeof...(Topics)> names{Topics::name...};
  using message_type = topic_message<Topics...>;
  // The place of `name` among the declared topics; count when it is none.
  static constexpr std::size_t find(std::string_view name) {
    for (std::size_t i = 0; i < count; ++i)
      if (names[i] == name) return i;
    return count;
  }
};

// What the server side answers to a request it cannot decode, so that a
// REQ client learns why instead of waiting for a timeout.
struct refusal {
  ZGUARD_SCHEMA("zguard.refusal", 1);
  BOOST_HANA_DEFINE_STRUCT(refusal, (std::uint8_t, reason), (bounded_string<128>, field));
};

namespace detail {
// A refusal saying why (the field cut to what it carries): what a socket
// answers, and a queue's front for a rate-limited request.
inline refusal refusal_of(decode_reason reason, std::string_view field) {
  refusal r;
  r.reason = static_cast<std::uint8_t>(reason);
  r.field = field.substr(0, 128);
  return r;
}
}  // namespace detail

#undef ZGUARD_CHANNEL_VIEW_TEXT

namespace detail {
struct nothing_carried {};

// Exactly service<...>, topic<...> and stream<...>; derived or hand-written
// channels are refused (their schemas and sides would escape the checks).
struct channel_tags {
  static consteval bool of(...) { return false; }
  template <class Req, class Rep>
  static consteval bool of(service<Req, Rep>**) { return true; }
  template <fixed_string N, class S>
  static consteval bool of(topic<N, S>**) { return true; }
  template <class S>
  static consteval bool of(stream<S>**) { return true; }
  template <class... Ts>
  static consteval bool of(topics<Ts...>**) { return true; }
};
template <class C>
concept is_channel_tag = closed_member<channel_tags, C>;

struct topic_sets {
  static consteval bool of(...) { return false; }
  template <class... Ts>
  static consteval bool of(topics<Ts...>**) { return true; }
};
template <class C>
concept is_topic_set = closed_member<topic_sets, C>;
struct topic_messages {
  static consteval bool of(...) { return false; }
  template <class... Ts>
  static consteval bool of(topic_message<Ts...>**) { return true; }
};
template <class T>
concept is_topic_message = closed_member<topic_messages, T>;

// Which schema each side sends and receives, by pattern.
template <class C, class P>
struct channel_sides {
  using sends = nothing_carried;
  using receives = nothing_carried;
  static constexpr bool fits = false;
};
template <class Req, class Rep, class P>
  requires(std::is_same_v<P, req> || std::is_same_v<P, dealer>)
struct channel_sides<service<Req, Rep>, P> {
  using sends = Req;
  using receives = Rep;
  static constexpr bool fits = true;
};
template <class Req, class Rep, class P>
  requires(std::is_same_v<P, rep> || std::is_same_v<P, router>)
struct channel_sides<service<Req, Rep>, P> {
  using sends = Rep;
  using receives = Req;
  static constexpr bool fits = true;
};
template <fixed_string N, class S, class P>
  requires(std::is_same_v<P, pub> || std::is_same_v<P, xpub>)
struct channel_sides<topic<N, S>, P> {
  using sends = S;
  using receives = nothing_carried;
  static constexpr bool fits = true;
};
template <fixed_string N, class S, class P>
  requires(std::is_same_v<P, sub> || std::is_same_v<P, xsub>)
struct channel_sides<topic<N, S>, P> {
  using sends = nothing_carried;
  using receives = S;
  static constexpr bool fits = true;
};
template <class... Ts>
struct channel_sides<topics<Ts...>, sub> {
  using sends = nothing_carried;
  using receives = topic_message<Ts...>;
  static constexpr bool fits = true;
};
template <class S>
struct channel_sides<stream<S>, push> {
  using sends = S;
  using receives = nothing_carried;
  static constexpr bool fits = true;
};
template <class S>
struct channel_sides<stream<S>, pull> {
  using sends = nothing_carried;
  using receives = S;
  static constexpr bool fits = true;
};

// A topic set's largest schema: the largest of its topics' (size diagnostics).
template <class... Ts>
struct largest_schema<topic_message<Ts...>> : largest_of<largest_schema_t<typename Ts::message_type>...> {};

template <class S>
constexpr std::size_t max_size_of() {
  if constexpr (std::is_same_v<S, nothing_carried>) return 0;
  else if constexpr (is_topic_message<S>)
    return []<class... Ts>(std::type_identity<topic_message<Ts...>>) {
      return std::max({max_carried_size<typename Ts::message_type>()...});
    }(std::type_identity<S>{});
  else if constexpr (is_one_of<S>) return max_carried_size<S>();  // its largest alternative
  else return max_encoded_size<S>;  // directly: a broken field's diagnostic stays short
}

// Decodes bytes that came on topic `at` of a topic set into m, as that
// topic's schema (storage reused when the same topic comes again).
template <class... Ts, std::size_t... I>
std::optional<decode_error> decode_topic_message(topic_message<Ts...>& m, std::size_t at,
                                                 std::span<std::uint8_t const> bytes, zmq_msg_t* frame,
                                                 std::index_sequence<I...>) {
  if (at >= sizeof...(Ts)) return decode_error{decode_reason::wrong_schema, "topic frame", 0};  // never selects
  std::optional<decode_error> out;
  auto one = [&]<std::size_t K>(std::integral_constant<std::size_t, K>) {
    if (at != K) return;
    if (m.index() != K) m.template emplace<K>();
    out = decode_received(std::get<K>(m), bytes, frame);
  };
  (one(std::integral_constant<std::size_t, I>{}), ...);
  return out;
}
template <class... Ts>
std::optional<decode_error> decode_topic_message(topic_message<Ts...>& m, std::size_t at,
                                                 std::span<std::uint8_t const> bytes, zmq_msg_t* frame = nullptr) {
  return decode_topic_message(m, at, bytes, frame, std::index_sequence_for<Ts...>{});
}
}  // namespace detail

// Channel: a service<...>, topic<...>, stream<...> or topics<...>, exactly.
template <class C>
concept Channel = detail::is_channel_tag<C>;

// A channel as text: service<a.request, a.reply>, topic<"name", s>, stream<s>.
template <class C>
std::string channel_description() {
  auto schema = []<class S>(S*) {
    if constexpr (detail::is_one_of<S>) return "one_of<" + S::description() + ">";
    else return detail::schema_text(S::zguard_schema_id);
  };
  if constexpr (C::kind == channel_kind::topic_set)
    return []<class... Ts>(topics<Ts...>*, auto one) {
      std::string s;
      ((s += (s.empty() ? "" : ", ") + std::string("\"") + std::string(Ts::name) + "\": " +
             one(static_cast<typename Ts::message_type*>(nullptr))),
       ...);
      return "topics<" + s + ">";
    }(static_cast<C*>(nullptr), schema);
  else if constexpr (C::kind == channel_kind::service)
    return "service<" + schema(static_cast<typename C::request_type*>(nullptr)) + " -> " +
           schema(static_cast<typename C::reply_type*>(nullptr)) + ">";
  else if constexpr (C::kind == channel_kind::topic)
    return "topic<\"" + std::string(C::name) + "\", " + schema(static_cast<typename C::message_type*>(nullptr)) + ">";
  else return "stream<" + schema(static_cast<typename C::message_type*>(nullptr)) + ">";
}

}  // namespace v0
}  // namespace zguard
