// MESSAGE[batched<N, Ms> and coalesced<N, Us> are for stream<S> and topic<"name", S> channels: a service<Req, Rep> sends one request and waits for its reply]
#include "common.hpp"
using client = zg::socket<D, zg::ipc, zg::req, zg::null_mechanism, L, zg::service<small, small>, zg::batched<8, 5>>;
void f(zg::context<D>& ctx) { client s(ctx); }
