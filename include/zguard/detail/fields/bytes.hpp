// zguard/detail/fields/bytes.hpp - length-prefixed field kinds: at most N
// bytes behind a 1, 2 or 4 byte length (docs/wire-format.md). Five C++
// types share the one wire form; they differ in how they hold the bytes:
//
//   bounded_string<N>, bounded_bytes<N>   own a copy (strings: UTF-8)
//   bounded_string_view<N>, bounded_bytes_view<N>
//                                         point into the decoded input
//   shared_bytes<N>                       share the received frame
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <zguard/detail/field_kind.hpp>
#include <zguard/printable.hpp>  // valid_utf8
#include <zguard/schema.hpp>

namespace zguard {
inline namespace v0 {
namespace detail {

// How a decoded value holds its bytes.
enum class bytes_hold { copy, view, share };

// Text is UTF-8 checked on decode and described as "string".
template <class T, std::size_t N, bool Text, bytes_hold Hold>
struct length_prefixed_kind {
  static constexpr field_verdict verdict = field_verdict::carried;
  static constexpr bool field() { return true; }
  static constexpr std::size_t max_size() { return sat_add(prefix_width(N), N); }
  static constexpr bool view() { return Hold == bytes_hold::view; }
  static std::size_t size(T const& v) { return prefix_width(N) + v.size(); }
  template <class W>
  static void write(W& w, T const& v) {
    w.prefix(prefix_width(N), v.size());
    w.bytes(data(v), v.size());
  }
  template <class R>
  static bool read(R& r, T& v) {
    std::size_t n = 0;
    std::uint8_t const* p = nullptr;
    if (!r.prefix(prefix_width(N), N, n) || !r.take(n, p)) return false;
    if constexpr (Text) {
      if (!valid_utf8(p, n)) return r.fail(R::reason::invalid_utf8);
    }
    fill(r, v, p, n);
    return true;
  }
  // Views describe as their owning types: one wire format.
  static void describe(std::string& out) {
    out += Text ? "\"string\"" : "\"bytes\"";
    out += ",\"max_length\":" + std::to_string(N) + ",\"prefix_bytes\":" + std::to_string(prefix_width(N));
  }

 private:
  static void const* data(T const& v) {
    if constexpr (Text) return v.view().data();
    else if constexpr (Hold == bytes_hold::copy) return v.bytes().data();
    else return v.data();
  }
  template <class R>
  static void fill(R& r, T& v, std::uint8_t const* p, std::size_t n) {
    if constexpr (Hold == bytes_hold::share)
      r.share(v, p, n);  // a counted reference to the received frame, when there is one
    else if constexpr (Hold == bytes_hold::view && Text)
      v = T(std::string_view(reinterpret_cast<char const*>(p), n));  // points into the input
    else if constexpr (Hold == bytes_hold::view)
      v = T(p, n);
    else if constexpr (Text)
      v.assign(reinterpret_cast<char const*>(p), n);  // in place: a reused value keeps its storage
    else
      v.assign(p, n);
  }
};

template <std::size_t N>
struct field_kind<bounded_string<N>> : length_prefixed_kind<bounded_string<N>, N, true, bytes_hold::copy> {};
template <std::size_t N>
struct field_kind<bounded_bytes<N>> : length_prefixed_kind<bounded_bytes<N>, N, false, bytes_hold::copy> {};
template <std::size_t N>
struct field_kind<bounded_string_view<N>> : length_prefixed_kind<bounded_string_view<N>, N, true, bytes_hold::view> {};
template <std::size_t N>
struct field_kind<bounded_bytes_view<N>> : length_prefixed_kind<bounded_bytes_view<N>, N, false, bytes_hold::view> {};
template <std::size_t N>
struct field_kind<shared_bytes<N>> : length_prefixed_kind<shared_bytes<N>, N, false, bytes_hold::share> {};

}  // namespace detail
}  // namespace v0
}  // namespace zguard
