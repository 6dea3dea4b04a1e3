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
#pragma once

#include <cstdint>
#include <string_view>
#include <type_traits>

#include <zguard/codec.hpp>
#include <zguard/fixed_string.hpp>
#include <zguard/pattern.hpp>
#include <zguard/schema.hpp>
#include <zguard/slots.hpp>

namespace zguard {
inline namespace v0 {

enum class channel_kind { service, topic, stream };

// A socket decodes each message from frames it frees before returning, so
// a value it hands out must own its bytes: a schema with a view field
// (bounded_string_view, bounded_bytes_view), at any depth, cannot be a
// channel's schema.
#define ZGUARD_CHANNEL_VIEW_TEXT                                                                         \
  "zguard channel: a schema with a bounded_string_view / bounded_bytes_view field (at any depth) cannot " \
  "be carried by a socket: the socket frees the received frames, so the view would dangle; use "         \
  "bounded_string<N> / bounded_bytes<N>, which own their bytes (views are for zguard::decode() over a "  \
  "buffer the caller keeps)"

template <Schema Request, Schema Reply>
struct service {
  static_assert(!detail::has_view_field<Request>() && !detail::has_view_field<Reply>(), ZGUARD_CHANNEL_VIEW_TEXT);
  using zguard_slot = slot::channel;
  static constexpr channel_kind kind = channel_kind::service;
  using request_type = Request;
  using reply_type = Reply;
};

template <fixed_string Name, Schema S>
struct topic {
  static_assert(Name.size() >= 1 && Name.size() <= 255, "zguard::topic<\"name\", S>: the name must be 1..255 bytes");
  static_assert(!detail::has_view_field<S>(), ZGUARD_CHANNEL_VIEW_TEXT);
  using zguard_slot = slot::channel;
  static constexpr channel_kind kind = channel_kind::topic;
  static constexpr std::string_view name = Name.view();
  using message_type = S;
};

template <Schema S>
struct stream {
  static_assert(!detail::has_view_field<S>(), ZGUARD_CHANNEL_VIEW_TEXT);
  using zguard_slot = slot::channel;
  static constexpr channel_kind kind = channel_kind::stream;
  using message_type = S;
};

// What the server side answers to a request it cannot decode, so that a
// REQ client learns why instead of waiting for a timeout.
struct refusal {
  ZGUARD_SCHEMA("zguard.refusal", 1);
  BOOST_HANA_DEFINE_STRUCT(refusal, (std::uint8_t, reason), (bounded_string<128>, field));
};

#undef ZGUARD_CHANNEL_VIEW_TEXT

namespace detail {
struct nothing_carried {};

// Exactly service<...>, topic<...> and stream<...>; derived or hand-written
// channels are refused (their schemas and sides would escape the checks).
template <class C>
inline constexpr bool is_channel_tag = false;
template <class Req, class Rep>
inline constexpr bool is_channel_tag<service<Req, Rep>> = true;
template <fixed_string N, class S>
inline constexpr bool is_channel_tag<topic<N, S>> = true;
template <class S>
inline constexpr bool is_channel_tag<stream<S>> = true;

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

template <class S>
constexpr std::size_t max_size_of() {
  if constexpr (std::is_same_v<S, nothing_carried>) return 0;
  else return max_encoded_size<S>;
}
}  // namespace detail

// Channel: a service<...>, topic<...> or stream<...>, exactly.
template <class C>
concept Channel = detail::is_channel_tag<C>;

}  // namespace v0
}  // namespace zguard
