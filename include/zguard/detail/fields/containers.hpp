// zguard/detail/fields/containers.hpp - field kinds made of other fields:
// bounded_vector<T, N> (a count, then the items), std::optional<T> (a tag
// byte, then the value), std::array<T, N> (N items, no prefix) and nested
// schemas (their fields in declaration order). A container is a field when
// its element is; its checks are its element's (field_element).
#pragma once

#include <boost/hana/accessors.hpp>
#include <boost/hana/first.hpp>
#include <boost/hana/for_each.hpp>
#include <boost/hana/second.hpp>
#include <boost/hana/string.hpp>
#include <boost/hana/unpack.hpp>

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include <zguard/detail/field_kind.hpp>
#include <zguard/detail/json_text.hpp>
#include <zguard/schema.hpp>

namespace zguard {
inline namespace v0 {
namespace detail {

// What every container kind answers from its element E.
template <class E>
struct container_kind {
  using element = E;
  static constexpr field_verdict verdict = field_verdict::carried;
  static constexpr bool field() { return is_field<E>(); }
  static constexpr bool view() { return has_view_field<E>(); }
};

template <class T, std::size_t N>
struct field_kind<bounded_vector<T, N>> : container_kind<T> {
  using V = bounded_vector<T, N>;
  static constexpr std::size_t max_size() { return sat_add(prefix_width(N), sat_mul(N, max_field_size<T>())); }
  static std::size_t size(V const& v) {
    std::size_t n = prefix_width(N);
    for (auto const& e : v) n += field_size(e);
    return n;
  }
  template <class W>
  static void write(W& w, V const& v) {
    w.prefix(prefix_width(N), v.size());
    for (auto const& e : v) write_field(w, e);
  }
  template <class R>
  static bool read(R& r, V& v) {
    std::size_t n = 0;
    if (!r.prefix(prefix_width(N), N, n)) return false;
    // Each item takes at least one byte: a count larger than what is left
    // is refused before anything is allocated.
    if (max_field_size<T>() > 0 && n > r.remaining()) return r.fail(R::reason::truncated);
    v.clear();
    v.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
      r.index(i);
      T item{};
      if (!read_field(r, item)) return false;
      (void)v.push_back(std::move(item));
    }
    return true;
  }
  static void describe(std::string& out) {
    out += "\"vector\",\"max_count\":" + std::to_string(N) + ",\"prefix_bytes\":" + std::to_string(prefix_width(N)) +
           ",\"element\":";
    describe_type<T>(out);
  }
};

template <class T>
struct field_kind<std::optional<T>> : container_kind<T> {
  static constexpr std::size_t max_size() { return sat_add(1, max_field_size<T>()); }
  static std::size_t size(std::optional<T> const& v) { return 1 + (v ? field_size(*v) : 0); }
  template <class W>
  static void write(W& w, std::optional<T> const& v) {
    w.integer(static_cast<std::uint8_t>(v ? 1 : 0));
    if (v) write_field(w, *v);
  }
  template <class R>
  static bool read(R& r, std::optional<T>& v) {
    std::uint8_t tag = 0;
    if (!r.integer(tag)) return false;
    if (tag > 1) return r.fail(R::reason::out_of_range);
    if (tag == 0) {
      v.reset();
      return true;
    }
    T item{};
    if (!read_field(r, item)) return false;
    v = std::move(item);
    return true;
  }
  static void describe(std::string& out) {
    out += "\"optional\",\"element\":";
    describe_type<T>(out);
  }
};

// Integers whose wire form is their memory form on this host (any bit
// pattern valid): arrays of them are copied in one go.
template <class T>
inline constexpr bool bulk_copyable = std::is_integral_v<T> && !std::is_same_v<T, bool> &&
                                      (sizeof(T) == 1 || std::endian::native == std::endian::little);

template <class T, std::size_t N>
struct field_kind<std::array<T, N>> : container_kind<T> {
  using A = std::array<T, N>;
  static constexpr std::size_t max_size() { return sat_mul(N, max_field_size<T>()); }
  static std::size_t size(A const& v) {
    if constexpr (bulk_copyable<T>) {
      return sizeof(A);
    } else {
      std::size_t n = 0;
      for (auto const& e : v) n += field_size(e);
      return n;
    }
  }
  template <class W>
  static void write(W& w, A const& v) {
    if constexpr (bulk_copyable<T>) w.bytes(v.data(), sizeof(A));
    else
      for (auto const& e : v) write_field(w, e);
  }
  template <class R>
  static bool read(R& r, A& v) {
    if constexpr (bulk_copyable<T>) {
      // The wire bytes are the array's bytes, and every value is valid.
      std::uint8_t const* bytes = nullptr;
      if (!r.take(sizeof(A), bytes)) return false;
      std::memcpy(v.data(), bytes, sizeof(A));
      return true;
    } else {
      for (std::size_t i = 0; i < N; ++i) {
        r.index(i);
        if (!read_field(r, v[i])) return false;
      }
      return true;
    }
  }
  static void describe(std::string& out) {
    out += "\"array\",\"count\":" + std::to_string(N) + ",\"element\":";
    describe_type<T>(out);
  }
};

// The type of field P (a hana accessor pair) of S.
template <class S, class P>
using member_type = std::remove_cvref_t<decltype(boost::hana::second(std::declval<P>())(std::declval<S&>()))>;

// A nested schema (any Hana struct): its fields, in declaration order, with
// no header; check_field checks them one by one (field_verdict::nested).
template <class S>
  requires boost::hana::Struct<S>::value
struct field_kind<S> {
  static constexpr field_verdict verdict = field_verdict::nested;
  static constexpr bool field() {
    return boost::hana::unpack(boost::hana::accessors<S>(),
                               [](auto... p) { return (is_field<member_type<S, decltype(p)>>() && ...); });
  }
  static constexpr std::size_t max_size() {
    return boost::hana::unpack(boost::hana::accessors<S>(), [](auto... p) {
      std::size_t n = 0;
      ((n = sat_add(n, max_field_size<member_type<S, decltype(p)>>())), ...);
      return n;
    });
  }
  static constexpr bool view() {
    return boost::hana::unpack(boost::hana::accessors<S>(),
                               [](auto... p) { return (false || ... || has_view_field<member_type<S, decltype(p)>>()); });
  }
  static std::size_t size(S const& s) {
    std::size_t n = 0;
    boost::hana::for_each(boost::hana::accessors<S>(), [&](auto pair) { n += field_size(boost::hana::second(pair)(s)); });
    return n;
  }
  template <class W>
  static void write(W& w, S const& s) {
    boost::hana::for_each(boost::hana::accessors<S>(), [&](auto pair) { write_field(w, boost::hana::second(pair)(s)); });
  }
  // Each field's name is pushed on the reader's path, so an error names it
  // (items[3].qty).
  template <class R>
  static bool read(R& r, S& s) {
    bool ok = true;
    boost::hana::for_each(boost::hana::accessors<S>(), [&](auto pair) {
      if (!ok) return;
      constexpr auto name = boost::hana::first(decltype(pair){});
      r.push(std::string_view(boost::hana::to<char const*>(name)));
      ok = read_field(r, boost::hana::second(pair)(s));
      if (ok) r.pop();
    });
    return ok;
  }
  static void describe(std::string& out) {
    out += "\"struct\",\"fields\":";
    describe_fields(out);
  }
  // [{"name":...,"type":{...}},...]: also a schema's own field list
  // (schema_description.hpp).
  static void describe_fields(std::string& out) {
    out += '[';
    bool first = true;
    boost::hana::for_each(boost::hana::accessors<S>(), [&](auto pair) {
      constexpr auto name = boost::hana::first(decltype(pair){});
      if (!first) out += ',';
      first = false;
      out += "{\"name\":";
      json_string(out, boost::hana::to<char const*>(name));
      out += ",\"type\":";
      describe_type<member_type<S, decltype(pair)>>(out);
      out += '}';
    });
    out += ']';
  }
};

}  // namespace detail
}  // namespace v0
}  // namespace zguard
