// MESSAGE[zguard::pipeline: a relay_stage has no run\(\): the pipeline runs its proxy]
#include "common.hpp"
using svc = zg::service<small, small>;
struct front : zg::link<"front", "ipc://{dir}/front", D, zg::ipc, svc, zg::null_mechanism, 1024> {};
struct back : zg::link<"back", "ipc://{dir}/back", D, zg::ipc, svc, zg::null_mechanism, 1024> {};
using router = zg::socket<D, zg::ipc, zg::router, zg::null_mechanism, L>;
using dealer = zg::socket<D, zg::ipc, zg::dealer, zg::null_mechanism, L>;
using req = zg::socket<D, zg::ipc, zg::req, zg::null_mechanism, L, svc>;
using rep = zg::socket<D, zg::ipc, zg::rep, zg::null_mechanism, L, svc>;
struct broker : zg::relay_stage<"broker", zg::binds<front, router>, zg::binds<back, dealer>> {
  static void run(zg::stage_env&, router&, dealer& d) { (void)d.receive(); }  // reads replies unchecked
};
struct client : zg::stage<"client", zg::connects<front, req>> {
  static void run(zg::stage_env&, req&) {}
};
struct worker : zg::stage<"worker", zg::connects<back, rep>> {
  static void run(zg::stage_env&, rep&) {}
};
int main(int argc, char** argv) { return zg::pipeline<broker, client, worker>::main(argc, argv); }
