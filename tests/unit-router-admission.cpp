// The ROUTER rules the typed ROUTER and the queue proxy's front share
// (detail/router_admission.hpp), on frames made here: which routing ids get
// in, the binding of an id to the first key, the caller's rate limit after
// the binding, where the payload starts, and the fields of each refusal.
#include <doctest/doctest.h>
#include <zguard/detail/router_admission.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace zg = zguard;

namespace {

struct events {
  std::vector<zg::security_event> seen;
  zg::event_log log{[this](zg::security_event const& e) { seen.push_back(e); }};
};

std::string const libzmq_id("\0\x80\0\0\x01", 5);  // a zero byte and libzmq's 32-bit counter

std::vector<zmq::message_t> message(std::vector<std::string> const& frames) {
  std::vector<zmq::message_t> out;
  for (auto const& f : frames) out.emplace_back(f.data(), f.size());
  return out;
}

// The one event logged: its name and field names (in order) checked.
zg::security_event only_event(events const& ev, std::string_view name, std::vector<std::string> const& fields) {
  REQUIRE(ev.seen.size() == 1);
  auto const& e = ev.seen.front();
  CHECK(e.name == name);
  std::vector<std::string> names;
  for (auto const& [k, v] : e.fields) names.push_back(k);
  CHECK(names == fields);
  return e;
}

}  // namespace

TEST_CASE("router admission: a routing id the peer chose is refused and logged with it, in hex") {
  events ev;
  zg::detail::router_admission admission;
  auto const f = message({"my-own-id", "payload"});
  CHECK_FALSE(admission.admit(f, "alice", "10.0.0.1", nullptr, ev.log, "front"));
  auto const e = only_event(ev, "router.peer_chosen_id", {"socket", "routing_id", "user_id", "address"});
  CHECK(e.field("socket") == "front");
  CHECK(e.field("routing_id") == "6d792d6f776e2d6964");
  CHECK(e.field("user_id") == "alice");
  CHECK(e.field("address") == "10.0.0.1");
  CHECK(admission.bindings().size() == 0);  // nothing bound for a refused id
  // Five bytes not starting with a zero byte are not libzmq's either.
  auto const not_libzmq = message({std::string("\x01\x80\0\0\x01", 5), "p"});
  CHECK_FALSE(admission.admit(not_libzmq, "alice", "", nullptr, ev.log, "front"));
}

TEST_CASE("router admission: a routing id stays bound to the key that first presented it") {
  events ev;
  zg::detail::router_admission admission;
  auto const f = message({libzmq_id, "payload"});
  auto first = admission.admit(f, "alice", "10.0.0.1", nullptr, ev.log, "front");
  REQUIRE(first);
  CHECK(first->routing_id == libzmq_id);
  CHECK(admission.admit(f, "alice", "10.0.0.2", nullptr, ev.log, "front"));
  CHECK(*admission.bindings().address(libzmq_id) == "10.0.0.2");  // the latest message's address
  CHECK(ev.seen.empty());

  CHECK_FALSE(admission.admit(f, "mallory", "10.0.0.9", nullptr, ev.log, "front"));
  auto const e =
      only_event(ev, "router.identity_mismatch", {"socket", "routing_id", "bound_user_id", "user_id", "address"});
  CHECK(e.field("routing_id") == "0080000001");
  CHECK(e.field("bound_user_id") == "alice");
  CHECK(e.field("user_id") == "mallory");
  CHECK(e.field("address") == "10.0.0.9");
  CHECK(*admission.bindings().owner(libzmq_id) == "alice");
  CHECK(*admission.bindings().address(libzmq_id) == "10.0.0.2");  // mallory's message changed nothing
}

TEST_CASE("router admission: the rate limit is asked only once the id and its key passed") {
  events ev;
  zg::detail::router_admission admission;
  int asked = 0;
  auto refuse = [&] {
    ++asked;
    return false;
  };
  CHECK_FALSE(admission.admit(message({"chosen", "p"}), "alice", "", nullptr, ev.log, "front", refuse));
  CHECK(asked == 0);
  CHECK_FALSE(admission.admit(message({libzmq_id, "p"}), "alice", "", nullptr, ev.log, "front", refuse));
  CHECK(asked == 1);
  CHECK(ev.seen.size() == 1);  // the id refusal; the rate limit logs its own
  CHECK(*admission.bindings().owner(libzmq_id) == "alice");  // bound before the rate limit said no
  CHECK_FALSE(admission.admit(message({libzmq_id, "p"}), "mallory", "", nullptr, ev.log, "front", refuse));
  CHECK(asked == 1);
  CHECK(admission.admit(message({libzmq_id, "p"}), "alice", "", nullptr, ev.log, "front", [] { return true; }));
}

TEST_CASE("router admission: the payload starts after a REQ peer's delimiter, else after the routing id") {
  auto const dealer = message({libzmq_id, "a", "b"});
  auto r = zg::detail::scan_route(dealer);
  CHECK_FALSE(r.has_delimiter);
  CHECK(r.payload_at == 1);
  CHECK(r.delimiter == 3);

  auto const req = message({libzmq_id, "request-id", "", "payload"});
  r = zg::detail::scan_route(req);
  CHECK(r.has_delimiter);
  CHECK(r.delimiter == 2);
  CHECK(r.payload_at == 3);

  auto const plain_req = message({libzmq_id, "", "payload"});
  r = zg::detail::scan_route(plain_req);
  CHECK(r.delimiter == 1);
  CHECK(r.payload_at == 2);
}

TEST_CASE("router admission: a reply not sent is logged with the routing id, the key and why") {
  events ev;
  zg::detail::router_admission::refuse_reply(ev.log, "front", libzmq_id, "alice", "connection closed");
  auto const e = only_event(ev, "router.stale_peer", {"socket", "routing_id", "user_id", "reason"});
  CHECK(e.field("routing_id") == "0080000001");
  CHECK(e.field("user_id") == "alice");
  CHECK(e.field("reason") == "connection closed");
}
