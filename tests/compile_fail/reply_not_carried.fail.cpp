// MESSAGE[zguard::socket::reply: a request is answered with a reply this socket.s channel carries, a zguard::application_error, or zguard::refused."why".]
// A service answers with its channel's reply type (or an error or a
// refusal), never another schema, whatever it was handed.
#include "common.hpp"
using svc = zg::service<small, other_small>;
using rep_t = zg::socket<D, zg::ipc, zg::rep, zg::null_mechanism, L, svc>;
void f(rep_t& s) {
  if (auto got = s.receive()) (void)s.reply(*got, small{1, "x"});
}
