// CASES[3]
// MESSAGE[zguard::socket::flush_if_due: only a sending socket with zguard::batched<N, Ms> or zguard::coalesced<N, Us> holds messages back]
// MESSAGE[zguard::socket::flush_due_at: only a sending socket with zguard::batched<N, Ms> or zguard::coalesced<N, Us> holds messages back]
// MESSAGE[zguard::socket::waiting: only a sending socket with zguard::batched<N, Ms> or zguard::coalesced<N, Us> holds messages back]
// flush()'s companions, absent on a socket that holds nothing back, say so
// too (not "no matching function").
#include "common.hpp"
void f(zg::socket<D, zg::inproc, zg::push, zg::null_mechanism, L, zg::stream<small>>& s) {
  (void)s.flush_if_due();
  (void)s.flush_due_at();
  (void)s.waiting();
}
