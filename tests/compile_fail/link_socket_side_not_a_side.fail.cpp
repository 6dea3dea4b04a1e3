// MESSAGE[zguard::link_socket<Link, Side, Pattern, Limits>: Side must be zguard::binder or zguard::connector]
#include "common.hpp"
struct jobs : zg::link<"jobs", "ipc://{dir}/jobs", D, zg::ipc, zg::stream<small>, zg::null_mechanism, 1024> {};
// A mechanism where the side belongs: the side decides the mechanism.
using pull_socket = zg::link_socket<jobs, zg::curve_client, zg::pull, L>;
static_assert(sizeof(pull_socket) > 0);
