// zguard/codec_one_of.hpp - the decode entry points of a one_of
// (one_of.hpp), next to the codec's for a schema (codec.hpp), and
// detail::decode_received, the one decode call of the receive path for
// either.
//
// Why a header of its own: codec.hpp is included by every codec user (the
// socket, batching, schema descriptions) and would otherwise compile
// one_of for all of them; one_of.hpp is the type, not its wire reading.
// Nothing here reads a one_of's members until instantiated, so the name
// `one_of` and detail::is_one_of, declared here, are all it needs of it:
// it does not include one_of.hpp, and one_of.hpp includes it, so every
// user of one_of calls zguard::decode<V> as before. A one_of has no parser
// of its own: the header is read by codec.hpp's read_wire_header and the
// chosen alternative decoded by its decode_fields.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>

#include <zguard/codec.hpp>

namespace zguard {
inline namespace v0 {

template <class... Alternatives>
class one_of;

namespace detail {

// Whether T is a one_of: what the overloads below are constrained on (and
// what one_of.hpp, channel.hpp and the socket dispatch on).
template <class T>
inline constexpr bool is_one_of = false;
template <class... A>
inline constexpr bool is_one_of<one_of<A...>> = true;

// Decodes bytes as the alternative the header names, into v (reusing its
// storage when v already holds that alternative).
template <class V, std::size_t... I>
std::optional<decode_error> decode_one_of(std::span<std::uint8_t const> bytes, V& v, std::index_sequence<I...>,
                                          zmq_msg_t* frame = nullptr) {
  reader r(bytes.data(), bytes.size());
  wire_header h;
  if (auto e = read_wire_header(r, h)) return e;
  if (!h.version) return r.error();
  std::optional<decode_error> out;
  bool matched = false;
  auto try_one = [&]<std::size_t K>(std::integral_constant<std::size_t, K>) {
    using A = std::variant_alternative_t<K, typename V::variant_type>;
    if (matched || h.name != A::zguard_schema_id.name || *h.version != A::zguard_schema_id.version) return;
    matched = true;
    if (v.index() != K) v.template emplace<K>();
    out = decode_fields(bytes, std::get<K>(v), frame);  // checks the header again, then the body as A alone
  };
  (try_one(std::integral_constant<std::size_t, I>{}), ...);
  if (matched) return out;
  bool const same_name = ((h.name == std::variant_alternative_t<I, typename V::variant_type>::zguard_schema_id.name) || ...);
  return header_mismatch(h, same_name, "one_of<" + V::description() + ">");
}

}  // namespace detail

// Decodes one message of any alternative of V, chosen by the schema name
// and version in its header. Never throws; bounded work and memory.
template <class V>
  requires detail::is_one_of<V>
result<V> decode(std::span<std::uint8_t const> bytes) {
  using access = detail::result_access;
  auto out = access::value_in_place<V>();
  if (auto e = detail::decode_one_of(bytes, access::slot(out), std::make_index_sequence<V::alternatives>{}))
    access::fail(out, std::move(*e));
  return out;
}

template <class V>
  requires detail::is_one_of<V>
result<V> decode(void const* data, std::size_t size) {
  return decode<V>(std::span<std::uint8_t const>(static_cast<std::uint8_t const*>(data), size));
}

// As decode_into for a schema: storage is reused when the same alternative
// arrives again.
template <class V>
  requires detail::is_one_of<V>
std::optional<decode_error> decode_into(V& value, std::span<std::uint8_t const> bytes) {
  return detail::decode_one_of(bytes, value, std::make_index_sequence<V::alternatives>{});
}

namespace detail {
// What a socket decodes a received message with: decode_into, and
// shared_bytes fields share `frame`, the frame the bytes lie in.
template <class S>
std::optional<decode_error> decode_received(S& value, std::span<std::uint8_t const> bytes, zmq_msg_t* frame) {
  if constexpr (is_one_of<S>) return decode_one_of(bytes, value, std::make_index_sequence<S::alternatives>{}, frame);
  else {
    (void)max_encoded_size<S>;
    return decode_fields(bytes, value, frame);
  }
}
}  // namespace detail

}  // namespace v0
}  // namespace zguard
