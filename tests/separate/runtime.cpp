// zguard's non-template runtime, compiled once for the tests built with
// ZGUARD_SEPARATE_COMPILATION (zguard/detail/compiled.hpp).
#include <zguard/impl/src.hpp>
