// FIRST_ERROR[cannot derive from .*final.* base]
// CASES[3]
// MESSAGE[cannot derive from .*final.* base .*zguard::v0::socket<]
// MESSAGE[.*socket_core.* is private within this context]
// MESSAGE[.*send_path.* is private within this context]
// A socket's internals stay inside. A class derived from a signed socket
// reached the core's frame I/O and libzmq handle (an unsigned frame sent,
// options changed after bind); the facets' injected class names recovered
// the internal traits by deduction (compiling twins: static_checks).
#include "common.hpp"
using signed_push = zg::socket<D, zg::ipc, zg::push, zg::null_mechanism, L, zg::stream<small>,
                               zg::signing<zg::ed25519>>;
struct leaky_push : signed_push {};
using by_core = signed_push::socket_core;  // template <template <class> class Core, class Tr> Tr f(Core<Tr>*)
using by_send_path = signed_push::send_path;
