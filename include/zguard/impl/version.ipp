// zguard/impl/version.ipp - the definitions of zguard/version.hpp that ZGUARD_DECL
// declares: inline in every translation unit, or compiled once with
// ZGUARD_SEPARATE_COMPILATION (zguard/detail/compiled.hpp).
#pragma once

#include <zguard/version.hpp>

namespace zguard {
inline namespace v0 {

ZGUARD_DECL void check_runtime() {
  static std::once_flag once;
  static std::string failure;
  std::call_once(once, [] {
    int major = 0, minor = 0, patch = 0;
    zmq_version(&major, &minor, &patch);
    if (ZMQ_MAKE_VERSION(major, minor, patch) <
        ZMQ_MAKE_VERSION(min_zmq_major, min_zmq_minor, min_zmq_patch)) {
      failure = "zguard: loaded libzmq " + std::to_string(major) + "." +
                std::to_string(minor) + "." + std::to_string(patch) +
                " is older than 4.3.3 (known CVEs); upgrade libzmq5";
      return;
    }
    if (!zmq_has("curve")) {
      failure = "zguard: the loaded libzmq was built without CURVE "
                "(zmq_has(\"curve\") is false); install a libzmq built with libsodium";
      return;
    }
    if (sodium_library_version_major() < min_sodium_library_major ||
        (sodium_library_version_major() == min_sodium_library_major &&
         sodium_library_version_minor() < min_sodium_library_minor)) {
      failure = std::string("zguard: loaded libsodium ") + sodium_version_string() +
                " is older than 1.0.18; upgrade libsodium23";
      return;
    }
    if (sodium_init() < 0) {
      failure = "zguard: sodium_init() failed; libsodium cannot be used";
      return;
    }
  });
  if (!failure.empty()) throw startup_error(failure);
}
}  // namespace v0
}  // namespace zguard
