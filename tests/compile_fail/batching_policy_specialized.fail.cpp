// MESSAGE[zguard::socket: this batching policy's members are not its template's arguments: a specialization of batched<N, Ms> or coalesced<N, Us> may not change N]
// The language lets a program specialize a policy; one that widens N past
// the batch count's 16 bits and the gap to an hour is refused where the
// socket reads them, not only in the primary template.
#include "common.hpp"
template <>
struct zguard::coalesced<2, 1> {
  using zguard_slot = zguard::slot::batching;
  static constexpr std::size_t max_messages = 70000;
  static constexpr std::chrono::microseconds max_delay{3'600'000'000};
  static constexpr bool coalesces = true;
};
using feed = zg::socket<D, zg::ipc, zg::push, zg::null_mechanism, L, zg::stream<small>, zg::coalesced<2, 1>>;
void f(zg::context<D>& ctx) { feed s(ctx); }
