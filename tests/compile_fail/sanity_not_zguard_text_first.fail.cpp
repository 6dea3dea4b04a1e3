// MESSAGE[was not declared in this scope]
// The harness must reject a case whose first error is not zguard's own text.
#include "common.hpp"
int f() { return not_declared_anywhere; }
