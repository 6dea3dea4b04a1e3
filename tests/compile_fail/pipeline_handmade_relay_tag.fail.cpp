// MESSAGE[zguard::pipeline: a stage derives from zguard::relay_stage_tag but not from zguard::relay_stage<Name, Front, Back>]
// A relay by hand (the tag added to a stage) used to pass pipeline<...>::checked and run a proxy
// on sockets whose ports no relay_stage<...> declared.
#include "common.hpp"
struct front : zg::link<"front", "ipc://{dir}/front", D, zg::ipc, zg::service<small, small>, zg::null_mechanism, 1024> {};
struct back : zg::link<"back", "ipc://{dir}/back", D, zg::ipc, zg::service<small, small>, zg::null_mechanism, 1024> {};
using router = zg::socket<D, zg::ipc, zg::router, zg::null_mechanism, L>;
using dealer = zg::socket<D, zg::ipc, zg::dealer, zg::null_mechanism, L>;
using req = zg::socket<D, zg::ipc, zg::req, zg::null_mechanism, L, zg::service<small, small>>;
using rep = zg::socket<D, zg::ipc, zg::rep, zg::null_mechanism, L, zg::service<small, small>>;
struct broker : zg::stage<"broker", zg::binds<front, router>, zg::binds<back, dealer>>, zg::relay_stage_tag {};
struct client : zg::stage<"client", zg::connects<front, req>> {
  static void run(zg::stage_env&, req&) {}
};
struct worker : zg::stage<"worker", zg::connects<back, rep>> {
  static void run(zg::stage_env&, rep&) {}
};
int main(int argc, char** argv) { return zg::pipeline<broker, client, worker>::main(argc, argv); }
