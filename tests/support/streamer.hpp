// A streamer proxy as the tests build it: a CURVE PULL front bound on tcp
// loopback, an inproc PUSH back, and a worker connected behind it.
#pragma once

#include "../support.hpp"

#include <string>
#include <utility>

namespace zguard_test {

template <class Front, class Back, class Worker>
struct streamer_scene {
  Front front;
  Back back;
  decltype(std::declval<Front&>().bind(std::string())) in;  // where senders connect
  Worker worker;
  zguard::proxy<Front, Back> proxy;

  // `back_name`: the inproc endpoint between the back and the worker;
  // `front_args`: the front's arguments after its keys (runtime_limits).
  template <class... FrontArgs>
  streamer_scene(zguard::context<test_domain>& ctx, zguard::authenticator<test_domain>& auth,
                 zguard::keypair const& keys, std::string const& back_name, FrontArgs const&... front_args)
      : front(ctx, auth, keys, front_args...),
        back(ctx),
        in(front.bind("tcp://127.0.0.1:*")),
        worker(ctx),
        proxy(ctx, front, worker_behind(back, worker, back_name)) {}

 private:
  static Back& worker_behind(Back& back, Worker& worker, std::string const& back_name) {
    worker.connect(back.bind(zguard::endpoint<zguard::inproc, test_domain>(back_name)));
    return back;
  }
};

}  // namespace zguard_test
