// MESSAGE[zguard::stage::socket_on<Link>: the stage has no port on this link, or more than one]
#include "common.hpp"
struct jobs : zg::link<"jobs", "ipc://{dir}/jobs", D, zg::ipc, zg::stream<small>, zg::null_mechanism, 1024> {};
struct done : zg::link<"done", "ipc://{dir}/done", D, zg::ipc, zg::stream<small>, zg::null_mechanism, 1024> {};
struct source : zg::stage<"source", zg::binds<jobs, zg::push, L>> {
  static void run(zg::stage_env&, socket_on<done>&) {}  // names a link the stage does not use
};
