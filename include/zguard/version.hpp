// zguard/version.hpp - the version and capability gate (G16).
//
// Compile time: the headers of libzmq and libsodium must be at least the
// documented minimums. Run time: the shared libraries actually loaded can
// differ from the headers, so check_runtime() asks them again, together with
// zmq_has("curve") and sodium_init(). Every zguard::context calls it.
#pragma once

#include <zguard/detail/compiled.hpp>

#include <sodium.h>
#include <zmq.h>

#include <mutex>
#include <stdexcept>
#include <string>

#define ZGUARD_VERSION_MAJOR 0
#define ZGUARD_VERSION_MINOR 1
#define ZGUARD_VERSION_PATCH 0

namespace zguard {
inline namespace v0 {

// libzmq 4.3.3 fixes CVE-2019-6250 (4.2.0-4.3.0: remote code execution via a
// crafted ZMTP v2 frame size), CVE-2019-13132 (stack overflow in CURVE
// metadata, before 4.3.2), CVE-2020-15166 (DoS by unauthenticated peers:
// memory exhaustion before the handshake completes, before 4.3.3) and
// CVE-2021-20234..20237 (memory leaks, heap overflow in ZMTP and PUB/SUB
// handling, fixed in 4.3.3).
inline constexpr int min_zmq_major = 4, min_zmq_minor = 3, min_zmq_patch = 3;
// libsodium 1.0.18 is library version 10.3: the first with
// crypto_pwhash_str_needs_rehash and the Argon2id default we rely on.
inline constexpr int min_sodium_library_major = 10, min_sodium_library_minor = 3;

static_assert(ZMQ_VERSION >= ZMQ_MAKE_VERSION(4, 3, 3),
              "zguard requires libzmq >= 4.3.3 headers: older releases carry "
              "CVE-2019-6250, CVE-2019-13132, CVE-2020-15166 and "
              "CVE-2021-20234..20237");
static_assert(SODIUM_LIBRARY_VERSION_MAJOR > 10 ||
                  (SODIUM_LIBRARY_VERSION_MAJOR == 10 &&
                   SODIUM_LIBRARY_VERSION_MINOR >= 3),
              "zguard requires libsodium >= 1.0.18 headers (library version 10.3)");

// Thrown when the process cannot run zguard safely; the text names what is
// missing and what to install.
struct startup_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Checks the loaded libraries; throws startup_error naming what is missing.
// Idempotent and thread-safe; the result of the first call is remembered.
ZGUARD_DECL void check_runtime();

}  // namespace v0
}  // namespace zguard

#if !defined(ZGUARD_SEPARATE_COMPILATION)
#include <zguard/impl/version.ipp>
#endif
