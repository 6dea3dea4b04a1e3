// The tools of the routing-id attacks on a ROUTER (G8): a raw libzmq CURVE
// DEALER that may choose its routing id, and a scene with a server, a
// victim and an attacker whose keys are both allowed.
#pragma once

#include "schemas.hpp"
#include "support.hpp"

#include <iterator>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace zguard_test {

// A raw libzmq DEALER with a CURVE key: the foreign peer an attacker uses.
inline zmq::socket_t curve_dealer(zmq::context_t& raw, zg::keypair const& keys, zg::public_key const& server,
                                  std::string const& routing_id = {}) {
  auto s = raw_curve(raw, zmq::socket_type::dealer, keys, server, 500, -1);
  if (!routing_id.empty()) s.set(zmq::sockopt::routing_id, zmq::buffer(routing_id));
  return s;
}

inline void send_request(zmq::socket_t& dealer, order const& o) {
  auto const bytes = zg::encode(o);
  REQUIRE(dealer.send(zmq::const_buffer(nullptr, 0), zmq::send_flags::sndmore));
  REQUIRE(dealer.send(zmq::buffer(bytes)));
}

// A raw DEALER connects and sends request `id`.
inline void ask(zmq::socket_t& dealer, std::string const& ep, std::uint64_t id) {
  dealer.connect(ep);
  send_request(dealer, numbered_order(id));
}

// The answer a raw DEALER got ([delimiter, payload]), decoded as T;
// nullopt when nothing came within its receive timeout or it is not a T.
template <class T>
std::optional<T> read_answer(zmq::socket_t& dealer) {
  std::vector<zmq::message_t> frames;
  try {
    if (!zmq::recv_multipart(dealer, std::back_inserter(frames)) || frames.size() != 2) return std::nullopt;
  } catch (zmq::error_t const&) {
    return std::nullopt;
  }
  auto got = zg::decode<T>(std::span(frames[1].data<std::uint8_t const>(), frames[1].size()));
  if (!got) return std::nullopt;
  return *got;
}

inline bool got_anything(zmq::socket_t& s) {
  std::vector<zmq::message_t> frames;
  try {
    return zmq::recv_multipart(s, std::back_inserter(frames)).has_value();
  } catch (zmq::error_t const&) {
    return false;
  }
}

// A server, a victim and an attacker, both clients on the allowlist.
struct squat_scene {
  captured_events seen;
  zg::context<test_domain> ctx{seen.sink()};
  zg::authenticator<test_domain> auth{ctx};
  zg::keypair server_keys = zg::keypair::generate(), victim_keys = zg::keypair::generate(),
              attacker_keys = zg::keypair::generate();
  squat_scene() {
    auth.allow(victim_keys.public_part());
    auth.allow(attacker_keys.public_part());
  }
};

}  // namespace zguard_test
