// MESSAGE[zguard/impl/src.hpp compiles the runtime for programs built with ZGUARD_SEPARATE_COMPILATION]
// A header-only program that also compiled the runtime would define every
// runtime function twice, once inline: refused where it is included.
// The harness compiles every case with ZGUARD_SEPARATE_COMPILATION
// (CompileFailTest.cmake); this one is the header-only program.
#undef ZGUARD_SEPARATE_COMPILATION
#include <zguard/impl/src.hpp>
