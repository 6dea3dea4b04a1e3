// zguard/impl/src.hpp - zguard's non-template runtime, compiled once: a
// program built with ZGUARD_SEPARATE_COMPILATION defined in every
// translation unit includes this in exactly one of them
// (zguard/detail/compiled.hpp).
#pragma once

#if !defined(ZGUARD_SEPARATE_COMPILATION)
static_assert(false,
              "zguard/impl/src.hpp compiles the runtime for programs built with ZGUARD_SEPARATE_COMPILATION in "
              "every translation unit; without it zguard is header-only and needs no such file");
#else

#include <zguard/impl/auth.ipp>
#include <zguard/impl/certificate.ipp>
#include <zguard/impl/codec.ipp>
#include <zguard/impl/endpoint.ipp>
#include <zguard/impl/events.ipp>
#include <zguard/impl/frame_io.ipp>
#include <zguard/impl/keys.ipp>
#include <zguard/impl/limits.ipp>
#include <zguard/impl/log_settings.ipp>
#include <zguard/impl/metrics.ipp>
#include <zguard/impl/monitor.ipp>
#include <zguard/impl/permissions.ipp>
#include <zguard/impl/profile.ipp>
#include <zguard/impl/protected_file.ipp>
#include <zguard/impl/seal_box.ipp>
#include <zguard/impl/sealed.ipp>
#include <zguard/impl/signing.ipp>
#include <zguard/impl/subscriber_gate.ipp>
#include <zguard/impl/version.ipp>
#include <zguard/impl/zpl.ipp>
#endif
