// MESSAGE[NULL security on a network transport sends everything in clear text]
// A socket type that breaks a rule, used as if it were valid: every
// operation a facet or the core offers has a silent stand-in, so zguard's
// sentence is the only error (a missing one would add "no member named").
#include <stop_token>

#include "common.hpp"
using bad = zg::socket<D, zg::tcp, zg::push, zg::null_mechanism, L, zg::stream<small>, zg::batched<4, 10>>;
void f(zg::context<D>& ctx, small const& m) {
  bad s(ctx);
  (void)s.bind("tcp://127.0.0.1:*");
  s.connect("tcp://127.0.0.1:5555");
  (void)s.send(m);
  (void)s.flush();
  (void)s.flush_if_due();
  (void)s.flush_due_at();
  (void)s.waiting();
  (void)s.receive();
  (void)s.receive<small>();
  (void)s.receive_multipart();
  (void)s.call(m);
  s.serve([](small const& in) { return in; }, std::stop_token{});
  (void)s.reply(m, m);
  s.subscribe("t");
  s.unsubscribe("t");
  (void)s.subscribed("t");
  (void)bad::profile();
  (void)bad::label();
  (void)s.applied_limits();
  (void)s.events();
  (void)s.handshake_failures();
  (void)s.last_handshake_failure();
  (void)s.handshakes_succeeded();
  (void)s.notification_fd();
  (void)s.monitor_notification_fd();
  (void)s.readable();
  [[maybe_unused]] bad::delivery<small> const* none = nullptr;
}
