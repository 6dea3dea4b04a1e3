// MESSAGE[an inproc endpoint must name its security domain]
#include "common.hpp"
zg::endpoint<zg::inproc> e("inproc://x");
