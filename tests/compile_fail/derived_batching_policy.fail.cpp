// MESSAGE[the batching slot holds a type that is not a zguard::batched<N, MaxDelayMs>]
#include "common.hpp"
struct my_batches : zg::batched<8, 5> {};
using feed = zg::socket<D, zg::ipc, zg::push, zg::null_mechanism, L, zg::stream<small>, my_batches>;
void f(zg::context<D>& ctx) { feed s(ctx); }
