// zguard/codec.hpp - the validating binary codec for schemas (G9).
//
// encode() cannot fail for values of schema types (they are bounded by
// construction) except for an enum holding an undeclared value, which throws
// encode_error. decode() never throws and never reads out of range: it
// returns the value or a decode_error naming the reason, the field path and
// the byte offset. The format is specified in docs/wire-format.md.
#pragma once

#include <zguard/detail/compiled.hpp>

#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include <zguard/printable.hpp>  // detail::valid_utf8
#include <zguard/schema.hpp>
#include <zguard/shared_bytes.hpp>

namespace zguard {
inline namespace v0 {

inline constexpr std::uint8_t wire_format_version = 1;

enum class decode_reason {
  truncated,           // the message ends inside a field
  length_over_bound,   // a length or count prefix exceeds the field's bound
  out_of_range,        // a ranged integer, bool or optional tag outside its values
  unknown_enum_value,  // an enum value not in zguard::enum_values<E>
  invalid_utf8,        // a string field that is not UTF-8
  trailing_bytes,      // bytes after the last field
  unsupported_format,  // the first byte is not a wire format we speak
  wrong_schema,        // another schema's name
  wrong_version,       // our schema's name, another version
  peer_refused,        // the service answered with a zguard.refusal
};

inline std::string_view to_string(decode_reason r) {
  switch (r) {
    case decode_reason::truncated: return "truncated";
    case decode_reason::length_over_bound: return "length_over_bound";
    case decode_reason::out_of_range: return "out_of_range";
    case decode_reason::unknown_enum_value: return "unknown_enum_value";
    case decode_reason::invalid_utf8: return "invalid_utf8";
    case decode_reason::trailing_bytes: return "trailing_bytes";
    case decode_reason::unsupported_format: return "unsupported_format";
    case decode_reason::wrong_schema: return "wrong_schema";
    case decode_reason::wrong_version: return "wrong_version";
    case decode_reason::peer_refused: return "peer_refused";
  }
  return "unknown";
}

struct decode_error {
  decode_reason reason = decode_reason::truncated;
  std::string field;  // e.g. "items[3].qty"; empty for header problems
  std::size_t offset = 0;
  // wrong_schema, wrong_version: what arrived and what this reader takes,
  // e.g. "arrived orders.new v1; this reader takes orders.new v2".
  std::string note;

  // A constructor, not an aggregate: {reason, field, offset} stays valid
  // without naming the note.
  decode_error() = default;
  decode_error(decode_reason r, std::string f = {}, std::size_t at = 0, std::string n = {})
      : reason(r), field(std::move(f)), offset(at), note(std::move(n)) {}

  std::string message() const;
};

struct encode_error : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

namespace detail {
struct result_access;
}

// A decoded value or the reason there is none.
template <class T>
class result {
 public:
  result(T value) : v_(std::move(value)) {}               // NOLINT
  result(decode_error error) : v_(std::move(error)) {}    // NOLINT
  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & {
    if (!ok()) throw std::logic_error("zguard::result: no value: " + error().message());
    return std::get<0>(v_);
  }
  T const& value() const& {
    if (!ok()) throw std::logic_error("zguard::result: no value: " + error().message());
    return std::get<0>(v_);
  }
  T* operator->() { return &value(); }
  T const* operator->() const { return &value(); }
  T& operator*() { return value(); }
  decode_error const& error() const { return std::get<1>(v_); }

 private:
  friend struct detail::result_access;
  struct in_place_value {};
  explicit result(in_place_value) : v_(std::in_place_index<0>) {}
  std::variant<T, decode_error> v_;
};

namespace detail {
// decode() builds its value inside the result it returns: a large schema is
// written once, not moved through temporaries.
struct result_access {
  template <class T>
  static result<T> value_in_place() {
    return result<T>(typename result<T>::in_place_value{});
  }
  template <class T>
  static T& slot(result<T>& r) {
    return std::get<0>(r.v_);
  }
  template <class T>
  static void fail(result<T>& r, decode_error e) {
    r.v_.template emplace<1>(std::move(e));
  }
};
}  // namespace detail

namespace detail {

class writer {
 public:
  explicit writer(std::uint8_t* out) : p_(out) {}
  template <class U>
  void integer(U v) {  // little-endian, whatever the host
    using UU = std::make_unsigned_t<U>;
    UU u = static_cast<UU>(v);
    for (std::size_t i = 0; i < sizeof(U); ++i) *p_++ = static_cast<std::uint8_t>(u >> (8 * i));
  }
  void prefix(std::size_t width, std::size_t n) {
    if (width == 1) integer(static_cast<std::uint8_t>(n));
    else if (width == 2) integer(static_cast<std::uint16_t>(n));
    else integer(static_cast<std::uint32_t>(n));
  }
  void bytes(void const* data, std::size_t n) {
    if (n) std::memcpy(p_, data, n);
    p_ += n;
  }
  std::uint8_t* position() const { return p_; }
  // A value a field kind cannot write (an enum outside enum_values).
  [[noreturn]] void refuse(char const* why) { throw encode_error(why); }

 private:
  std::uint8_t* p_;
};

// The field kinds (detail/field_kind.hpp) see the reader only as a
// template parameter: they name reasons as R::reason.
class reader {
 public:
  using reason = decode_reason;
  reader(std::uint8_t const* data, std::size_t size, zmq_msg_t* received = nullptr)
      : begin_(data), p_(data), end_(data + size), received_(received) {}

  // The received frame the bytes lie in, when a socket decodes: shared_bytes
  // fields share it instead of copying. Null for a plain buffer.
  zmq_msg_t* received_frame() const { return received_; }
  // Fills a shared_bytes field with n bytes at p: a reference to the
  // received frame, or a copy when there is none.
  template <class T>
  void share(T& v, std::uint8_t const* p, std::size_t n) {
    shared_bytes_access::decode(v, p, n, received_);
  }

  bool failed() const { return failed_; }
  std::size_t remaining() const { return std::size_t(end_ - p_); }
  std::size_t offset() const { return std::size_t(p_ - begin_); }

  template <class U>
  bool integer(U& v) {
    if (remaining() < sizeof(U)) return fail(decode_reason::truncated);
    std::make_unsigned_t<U> u = 0;
    for (std::size_t i = 0; i < sizeof(U); ++i) u |= std::make_unsigned_t<U>(p_[i]) << (8 * i);
    p_ += sizeof(U);
    v = static_cast<U>(u);
    return true;
  }
  bool prefix(std::size_t width, std::size_t bound, std::size_t& n) {
    if (width == 1) { std::uint8_t v = 0; if (!integer(v)) return false; n = v; }
    else if (width == 2) { std::uint16_t v = 0; if (!integer(v)) return false; n = v; }
    else { std::uint32_t v = 0; if (!integer(v)) return false; n = v; }
    if (n > bound) {
      p_ -= width;  // report the offset of the prefix itself
      return fail(decode_reason::length_over_bound);
    }
    return true;
  }
  bool take(std::size_t n, std::uint8_t const*& out) {
    if (remaining() < n) return fail(decode_reason::truncated);
    out = p_;
    p_ += n;
    return true;
  }
  bool fail(decode_reason r) {
    if (!failed_) {
      failed_ = true;
      reason_ = r;
      error_offset_ = offset();
      error_path_ = path_text();
    }
    return false;
  }
  decode_error error() const { return {reason_, error_path_, error_offset_}; }

  // The field path, kept as a small stack; text is built only on error.
  void push(std::string_view name) {
    if (depth_ < max_depth) frames_[depth_] = {name.data(), name.size(), npos};
    ++depth_;
  }
  void index(std::size_t i) { if (depth_ && depth_ <= max_depth) frames_[depth_ - 1].index = i; }
  void pop() { --depth_; }

 private:
  static constexpr std::size_t npos = std::size_t(-1);
  static constexpr std::size_t max_depth = 16;
  // Trivial, and left unwritten until pushed: a reader is made for every
  // message, and clearing the whole stack each time cost more than decoding.
  struct frame {
    char const* name;
    std::size_t name_size;
    std::size_t index;
  };
  std::string path_text() const;
  std::uint8_t const* begin_;
  std::uint8_t const* p_;
  std::uint8_t const* end_;
  zmq_msg_t* received_ = nullptr;
  bool failed_ = false;
  decode_reason reason_ = decode_reason::truncated;
  std::size_t error_offset_ = 0;
  std::string error_path_;
  frame frames_[max_depth];  // [0, depth_) written by push()
  std::size_t depth_ = 0;
};

template <class S>
void write_header(writer& w) {
  constexpr auto id = S::zguard_schema_id;
  w.integer(wire_format_version);
  w.integer(static_cast<std::uint8_t>(id.name.size()));
  w.bytes(id.name.data(), id.name.size());
  w.integer(id.version);
}

}  // namespace detail

// Exact encoded size of a value (header included).
template <Schema S>
std::size_t encoded_size(S const& value) {
  return schema_header_size<S> + detail::field_size(value);
}

// Encodes into out, which must hold encoded_size(value) bytes; returns the
// number of bytes written.
template <Schema S>
std::size_t encode_into(S const& value, std::uint8_t* out) {
  (void)max_encoded_size<S>;  // checks the schema's fields
  detail::writer w(out);
  detail::write_header<S>(w);
  detail::write_field(w, value);
  return std::size_t(w.position() - out);
}

template <Schema S>
std::vector<std::uint8_t> encode(S const& value) {
  std::vector<std::uint8_t> out(encoded_size(value));
  encode_into(value, out.data());
  return out;
}

namespace detail {
// A schema name read from the wire, for a log line: printable ASCII only,
// at most 64 characters (the name is the sender's choice).
ZGUARD_DECL std::string wire_name_text(std::string_view s);

// The header of a message: its schema name and version.
struct wire_header {
  std::string_view name;                 // as it arrived (the sender's text)
  std::optional<std::uint16_t> version;  // none: the message ends inside it
};

// Reads the header (format, name, version) from the start of a message:
// the one header reader of every decode, for a schema or a one_of. An error
// when the format is not ours or the message ends before the name does; a
// missing version leaves r failed as truncated and h.version empty, since
// a wrong name is the better reason when there is one.
inline std::optional<decode_error> read_wire_header(reader& r, wire_header& h) {
  std::uint8_t format = 0, name_len = 0;
  std::uint8_t const* name = nullptr;
  if (!r.integer(format)) return r.error();
  if (format != wire_format_version) return decode_error{decode_reason::unsupported_format, "", 0};
  if (!r.integer(name_len) || !r.take(name_len, name)) return r.error();
  h.name = std::string_view(reinterpret_cast<char const*>(name), name_len);
  if (std::uint16_t v = 0; r.integer(v)) h.version = v;
  return std::nullopt;
}

// wrong_schema / wrong_version: what arrived, and what `takes` (the
// reader's schema text), e.g. "arrived a v1; this reader takes a v2". The
// arrived name is the sender's text, so it is shown through wire_name_text.
inline decode_error header_mismatch(wire_header const& h, bool same_name, std::string const& takes) {
  std::string const name = wire_name_text(h.name);
  decode_error e{same_name ? decode_reason::wrong_version : decode_reason::wrong_schema, "",
                 same_name ? 2 + h.name.size() : 1};
  e.note = "arrived " + (h.version ? schema_text(name, *h.version) : name) + "; this reader takes " + takes;
  return e;
}

// The checks of decode(), writing into `value`; nullopt when it decoded.
// frame: the received frame the bytes lie in, if any (shared_bytes share it).
template <Schema S>
std::optional<decode_error> decode_fields(std::span<std::uint8_t const> bytes, S& value, zmq_msg_t* frame = nullptr) {
  constexpr auto id = S::zguard_schema_id;
  reader r(bytes.data(), bytes.size(), frame);
  wire_header h;
  if (auto e = read_wire_header(r, h)) return e;
  if (h.name != id.name) return header_mismatch(h, false, schema_text(id));
  if (!h.version) return r.error();
  if (*h.version != id.version) return header_mismatch(h, true, schema_text(id));
  if (!read_field(r, value)) return r.error();
  if (r.remaining() != 0) return decode_error{decode_reason::trailing_bytes, "", r.offset()};
  return std::nullopt;
}
}  // namespace detail

// Decodes one message of schema S. Never throws; bounded work and memory.
template <Schema S>
result<S> decode(std::span<std::uint8_t const> bytes) {
  (void)max_encoded_size<S>;
  using access = detail::result_access;
  auto out = access::value_in_place<S>();  // every path returns `out`: no copy of the value
  if (auto e = detail::decode_fields(bytes, access::slot(out))) access::fail(out, std::move(*e));
  return out;
}

// Decodes into an existing value, reusing its strings' and byte fields'
// storage: a loop decoding into the same value allocates nothing once the
// value has held its largest message. On an error (returned) the value
// holds whatever part was decoded: use it only after success.
template <Schema S>
std::optional<decode_error> decode_into(S& value, std::span<std::uint8_t const> bytes) {
  (void)max_encoded_size<S>;
  return detail::decode_fields(bytes, value);
}

template <Schema S>
result<S> decode(void const* data, std::size_t size) {
  return decode<S>(std::span<std::uint8_t const>(static_cast<std::uint8_t const*>(data), size));
}

// decode<V>, decode_into and detail::decode_received for a one_of:
// codec_one_of.hpp (apart, so that a codec user does not compile one_of).

}  // namespace v0
}  // namespace zguard

#if !defined(ZGUARD_SEPARATE_COMPILATION)
#include <zguard/impl/codec.ipp>
#endif
