// MESSAGE[zguard::link: a sealed link carries a service<Req, Rep> or topic<"name", S> channel; stream channels]
#include "common.hpp"
// A link of relays alone would otherwise be printed "sealed end to end" while its frames pass in clear.
struct m : zg::link<"m", "ipc://{dir}/m", D, zg::ipc, zg::stream<small>, zg::null_mechanism, 1024, zg::unsigned_link,
                    zg::sealed<>> {};
static_assert(m::is_sealed);
