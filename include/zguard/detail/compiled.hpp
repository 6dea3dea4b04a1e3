// zguard/detail/compiled.hpp - where zguard's non-template runtime is
// compiled (docs/architecture.md, "Separate compilation").
//
// By default zguard is header-only: the functions defined in
// zguard/impl/*.ipp (certificate and key files, event texts, endpoint
// checks) are inline and compiled, and optimised, again in every
// translation unit that uses them. A program that defines
// ZGUARD_SEPARATE_COMPILATION in every one of its translation units gets
// only their declarations from the headers, and compiles them once, in the
// one translation unit that includes <zguard/impl/src.hpp>.
#pragma once

#if defined(ZGUARD_SEPARATE_COMPILATION)
#define ZGUARD_DECL
#else
#define ZGUARD_DECL inline
#endif
