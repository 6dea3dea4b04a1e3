// MESSAGE[zguard::config::limits_for<Socket>: the socket's limits are all fixed by its type, so it takes no runtime_limits]
#include <zguard/config.hpp>
#include "common.hpp"
using S = zg::socket<D, zg::tcp, zg::rep, zg::curve_server, L, zg::service<small, small>>;
zg::runtime_limits f(zg::config::file const& cfg) { return cfg.limits_for<S>("service.socket"); }
