// MESSAGE[zguard::socket::reply: only a REP or ROUTER socket with a service<Req, Rep> channel answers requests; a REQ reads its reply with call\(\)]
#include "common.hpp"
using svc = zg::service<small, other_small>;
using req_t = zg::socket<D, zg::ipc, zg::req, zg::null_mechanism, L, svc>;
void f(req_t& s, small const& m) { (void)s.reply(m, other_small{1}); }
