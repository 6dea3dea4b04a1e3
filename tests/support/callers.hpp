// What the caller tests share: the socket types of a service<order,
// order_ack>, the ack a service gives, a ROUTER receiving a number of
// requests, and an inproc ROUTER service with a DEALER connected to it.
#pragma once

#include "../schemas.hpp"
#include "../support.hpp"

#include <chrono>
#include <string>
#include <vector>

namespace zguard_test {

using order_service = zg::service<order, order_ack>;
using tcp_dealer = zg::socket<test_domain, zg::tcp, zg::dealer, zg::curve_client, rr_limits, order_service>;
using tcp_router = zg::socket<test_domain, zg::tcp, zg::router, zg::curve_server, rr_limits, order_service>;
using ipc_dealer = zg::socket<test_domain, zg::ipc, zg::dealer, zg::null_mechanism, rr_limits, order_service>;
using ipc_rep = zg::socket<test_domain, zg::ipc, zg::rep, zg::null_mechanism, rr_limits, order_service>;
using in_dealer = zg::socket<test_domain, zg::inproc, zg::dealer, zg::null_mechanism, inproc_limits, order_service>;
using in_router = zg::socket<test_domain, zg::inproc, zg::router, zg::null_mechanism, inproc_limits, order_service>;
using signed_dealer = zg::socket<test_domain, zg::ipc, zg::dealer, zg::null_mechanism, rr_limits, order_service,
                                 zg::signing<zg::ed25519>>;
using signed_router = zg::socket<test_domain, zg::ipc, zg::router, zg::null_mechanism, rr_limits, order_service,
                                 zg::signing<zg::ed25519>>;

// The ack a service gives for request `id`, its note naming it.
inline order_ack ack_for(std::uint64_t id) { return order_ack{id, true, "for " + std::to_string(id)}; }

// A ROUTER receives up to n requests within `limit`.
template <class Router>
std::vector<zg::routed<order>> receive_n(Router& router, std::size_t n,
                                        std::chrono::milliseconds limit = std::chrono::seconds(10)) {
  std::vector<zg::routed<order>> held;
  auto const until = std::chrono::steady_clock::now() + limit;
  while (held.size() < n && std::chrono::steady_clock::now() < until)
    if (auto r = router.receive()) held.push_back(*r);
  return held;
}

// An inproc ROUTER service and a DEALER connected to it, in one context
// whose events are captured.
struct inproc_pair {
  captured_events seen;
  zg::context<test_domain> ctx{seen.sink()};
  in_router router{ctx};
  in_dealer dealer{ctx};
  explicit inproc_pair(std::string const& name) {
    dealer.connect(router.bind(zg::endpoint<zg::inproc, test_domain>("inproc://" + name)));
  }
};

}  // namespace zguard_test
