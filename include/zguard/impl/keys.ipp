// zguard/impl/keys.ipp - the definitions of zguard/keys.hpp that ZGUARD_DECL
// declares: inline in every translation unit, or compiled once with
// ZGUARD_SEPARATE_COMPILATION (zguard/detail/compiled.hpp).
#pragma once

#include <zguard/keys.hpp>

namespace zguard {
inline namespace v0 {
namespace detail {

ZGUARD_DECL void z85_decode_key(std::string_view text, std::uint8_t* out, char const* what) {
  if (text.size() != 40)
    throw key_error(std::string("zguard: a Z85 ") + what + " must be 40 characters, got " +
                    std::to_string(text.size()));
  if (!std::all_of(text.begin(), text.end(), is_z85_char))
    throw key_error(std::string("zguard: a Z85 ") + what + " contains a character outside the Z85 alphabet");
  char buf[41];
  std::memcpy(buf, text.data(), 40);
  buf[40] = '\0';
  bool const ok = zmq_z85_decode(out, buf) != nullptr;
  sodium_memzero(buf, sizeof buf);
  // Z85 can express 2^256 + values beyond 32 bytes; libzmq rejects them.
  if (!ok) throw key_error(std::string("zguard: invalid Z85 ") + what);
}
}  // namespace detail
}  // namespace v0
}  // namespace zguard
