// MESSAGE[this file compiles, so the harness must report it]
#include "common.hpp"
int f() { return 0; }
