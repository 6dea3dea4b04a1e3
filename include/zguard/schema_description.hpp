// zguard/schema_description.hpp - a schema's wire layout as JSON text, for
// peers in other languages (the Python module in python/zguard reads it).
//
//   zguard::describe<S>()                 one schema: name, version, fields
//   zguard::describe_all<S...>()          a JSON array of them
//   zguard::write_descriptions<S...>(p)   that array into the file p
//
// Generated from the C++ types with the traits and size helpers the codec
// uses (schema.hpp), so a description cannot drift from what encode() and
// decode() do. The format is documented in docs/python.md.
#pragma once

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>

#include <zguard/codec.hpp>
#include <zguard/schema.hpp>

namespace zguard {
inline namespace v0 {

namespace detail {

inline void json_string(std::string& out, std::string_view s) {
  out += '"';
  for (char c : s) {
    auto const u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20) {  // names are identifiers; escaped anyway, so the text is always valid JSON
      char const* digits = "0123456789abcdef";
      out += "\\u00";
      out += digits[u >> 4];
      out += digits[u & 15];
    } else {
      out += c;
    }
  }
  out += '"';
}

template <class I>
std::string json_integer(I v) {
  if constexpr (std::is_signed_v<I>) return std::to_string(static_cast<long long>(v));
  else return std::to_string(static_cast<unsigned long long>(v));
}

// "signed":..,"bytes":.. of an integer type (the wire width is its size).
template <class I>
void json_integer_shape(std::string& out) {
  out += std::is_signed_v<I> ? "\"signed\":true" : "\"signed\":false";
  out += ",\"bytes\":" + std::to_string(sizeof(I));
}

template <class T>
void describe_type(std::string& out);

template <class S>
void describe_fields(std::string& out) {
  out += '[';
  bool first = true;
  boost::hana::for_each(boost::hana::accessors<S>(), [&](auto pair) {
    using F = std::remove_cvref_t<decltype(boost::hana::second(pair)(std::declval<S&>()))>;
    constexpr auto name = boost::hana::first(decltype(pair){});
    if (!first) out += ',';
    first = false;
    out += "{\"name\":";
    json_string(out, boost::hana::to<char const*>(name));
    out += ",\"type\":";
    describe_type<F>(out);
    out += '}';
  });
  out += ']';
}

// The same cases, in the same order, as the codec's field_size/read_field:
// views describe as their owning types (one wire format).
template <class T>
void describe_type(std::string& out) {
  out += "{\"kind\":";
  if constexpr (std::is_same_v<T, bool>) {
    out += "\"bool\"";
  } else if constexpr (std::is_integral_v<T>) {
    out += "\"int\",";
    json_integer_shape<T>(out);
  } else if constexpr (ieee_float<T>) {
    out += "\"float\",\"bytes\":" + std::to_string(sizeof(T));
  } else if constexpr (std::is_enum_v<T>) {
    using U = std::underlying_type_t<T>;
    out += "\"enum\",";
    json_integer_shape<U>(out);
    out += ",\"values\":[";
    bool first = true;
    for (auto e : enum_values<T>) {
      if (!first) out += ',';
      first = false;
      out += json_integer(static_cast<U>(e));
    }
    out += ']';
  } else if constexpr (is_ranged<T>) {
    out += "\"ranged\",";
    json_integer_shape<typename T::value_type>(out);
    out += ",\"min\":" + json_integer(T::min) + ",\"max\":" + json_integer(T::max);
  } else if constexpr (is_length_prefixed<T>) {
    out += is_string_like<T> ? "\"string\"" : "\"bytes\"";
    out += ",\"max_length\":" + std::to_string(T::max_size) +
           ",\"prefix_bytes\":" + std::to_string(prefix_width(T::max_size));
  } else if constexpr (is_bounded_vector<T>) {
    out += "\"vector\",\"max_count\":" + std::to_string(T::max_size) +
           ",\"prefix_bytes\":" + std::to_string(prefix_width(T::max_size)) + ",\"element\":";
    describe_type<typename T::value_type>(out);
  } else if constexpr (is_optional<T>) {
    out += "\"optional\",\"element\":";
    describe_type<typename T::value_type>(out);
  } else if constexpr (is_std_array<T>) {
    out += "\"array\",\"count\":" + std::to_string(std::tuple_size_v<T>) + ",\"element\":";
    describe_type<typename T::value_type>(out);
  } else {
    out += "\"struct\",\"fields\":";
    describe_fields<T>(out);
  }
  out += ",\"max_size\":" + std::to_string(max_field_size<T>()) + '}';
}

}  // namespace detail

// One schema as a JSON object:
//   {"format":1,"name":"test.tick","version":1,"max_encoded_size":34,
//    "fields":[{"name":"symbol","type":{"kind":"string",...}},...]}
template <Schema S>
std::string describe() {
  (void)max_encoded_size<S>;  // the schema's field checks, as for encode()
  constexpr auto id = S::zguard_schema_id;
  std::string out = "{\"format\":" + std::to_string(wire_format_version) + ",\"name\":";
  detail::json_string(out, id.name);
  out += ",\"version\":" + std::to_string(id.version) +
         ",\"max_encoded_size\":" + std::to_string(max_encoded_size<S>) + ",\"fields\":";
  detail::describe_fields<S>(out);
  out += '}';
  return out;
}

// Several schemas as a JSON array, one per line.
template <Schema... S>
std::string describe_all() {
  std::string out = "[";
  bool first = true;
  ((out += (first ? "\n" : ",\n") + describe<S>(), first = false), ...);
  out += "\n]\n";
  return out;
}

// Writes describe_all<S...>() to path (replacing it); throws
// std::runtime_error when the file cannot be written.
template <Schema... S>
void write_descriptions(std::filesystem::path const& path) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f << describe_all<S...>();
  f.close();
  if (!f) throw std::runtime_error("zguard::write_descriptions: cannot write " + path.string());
}

}  // namespace v0
}  // namespace zguard
