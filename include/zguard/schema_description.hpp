// zguard/schema_description.hpp - a schema's wire layout as JSON text, for
// peers in other languages (the Python module in python/zguard reads it).
//
//   zguard::describe<S>()                 one schema: name, version, fields
//   zguard::describe_all<S...>()          a JSON array of them
//   zguard::write_descriptions<S...>(p)   that array into the file p
//
// Generated from the C++ types by the same field kinds the codec uses
// (detail::field_kind, each kind's describe()), so a description cannot
// drift from what encode() and decode() do. The format is documented in
// docs/python.md.
#pragma once

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>

#include <zguard/codec.hpp>
#include <zguard/detail/json_text.hpp>
#include <zguard/schema.hpp>

namespace zguard {
inline namespace v0 {

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
  detail::field_kind<S>::describe_fields(out);
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
