// Asynchronous calls (caller.hpp): many requests in flight from one DEALER,
// matched to their answers by a call id inside what is authenticated end to
// end (detail/call_ids.hpp, docs/wire-format.md "Correlated calls"); per-call
// deadlines, retry with backoff, the in-flight bound; answers naming no
// call, an unknown one or an expired one refused and counted. Every loop is
// bounded in count and time.
#include "schemas.hpp"
#include "support.hpp"
#include "support/callers.hpp"

#include <zguard/asio.hpp>

#include <boost/asio/use_future.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <future>
#include <map>
#include <optional>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

using namespace zguard_test;
using namespace std::chrono_literals;

namespace {

// The frames a raw socket receives as one message (none on timeout).
std::vector<std::string> recv_strings(zmq::socket_t& s) {
  std::vector<zmq::message_t> f;
  std::vector<std::string> out;
  if (!zmq::recv_multipart(s, std::back_inserter(f))) return out;
  for (auto const& m : f) out.push_back(m.to_string());
  return out;
}

std::string le64(std::uint64_t v) {
  std::string s(8, '\0');
  for (int i = 0; i < 8; ++i) s[std::size_t(i)] = char((v >> (8 * i)) & 0xff);
  return s;
}

}  // namespace

TEST_CASE("async call: 64 calls in flight to a CURVE ROUTER over tcp, answered out of order, each completes with its own reply") {
  curve_pair p;
  p.auth.allow(p.client_keys.public_part());
  tcp_router router(p.ctx, p.auth, p.server_keys);
  auto const ep = router.bind("tcp://127.0.0.1:*");
  tcp_dealer dealer(p.ctx, p.client_keys, p.server_keys.public_part());
  dealer.connect(ep);
  zg::caller<tcp_dealer, zg::in_flight<64>> calls(dealer);

  std::map<std::uint64_t, zg::call_result<order_ack>> results;
  for (std::uint64_t i = 1; i <= 64; ++i)
    calls.call(numbered_order(i), 10s, [&results, i](zg::call_result<order_ack> r) { results.emplace(i, std::move(r)); });
  CHECK(calls.in_flight() == 64);

  std::jthread service([&router] {
    auto const held = receive_n(router, 64);
    for (auto r = held.rbegin(); r != held.rend(); ++r) (void)router.reply(*r, ack_for(r->value.id));  // last asked first
  });
  calls.run_until_idle(15s);
  service.join();

  REQUIRE(results.size() == 64);
  for (auto const& [id, r] : results) {
    INFO("call ", id, ": ", zg::to_string(r.status()), " ", r.reason());
    REQUIRE(r.ok());
    CHECK(r->id == id);
    CHECK(r->note.str() == "for " + std::to_string(id));
    CHECK(r.attempts() == 1);
  }
  CHECK(calls.in_flight() == 0);
  CHECK(calls.refused_answers() == 0);
  // Each call in the metrics, with its duration.
  auto& m = p.ctx.metrics();
  CHECK(m.value("zguard_calls_total", {{"socket", tcp_dealer::label()}, {"status", "replied"}}) == 64);
  CHECK(m.value("zguard_call_duration_seconds_count", {{"socket", tcp_dealer::label()}}) == 64);
}

TEST_CASE("async call: through a queue (CURVE ROUTER front, DEALER back) to REP workers, completed by futures") {
  captured_events seen;
  zg::context<test_domain> ctx(seen.sink());
  zg::authenticator<test_domain> auth(ctx);
  auto server_keys = zg::keypair::generate(), client_keys = zg::keypair::generate();
  auth.allow(client_keys.public_part());
  using broker_front = zg::socket<test_domain, zg::tcp, zg::router, zg::curve_server, rr_limits>;
  using broker_back = zg::socket<test_domain, zg::inproc, zg::dealer, zg::null_mechanism, inproc_limits>;
  using worker_t = zg::socket<test_domain, zg::inproc, zg::rep, zg::null_mechanism, inproc_limits, order_service>;
  broker_front front(ctx, auth, server_keys);
  broker_back back(ctx);
  auto const front_ep = front.bind("tcp://127.0.0.1:*");
  auto const back_ep = back.bind(zg::endpoint<zg::inproc, test_domain>("inproc://async-workers"));
  zg::proxy<broker_front, broker_back> queue(ctx, front, back);
  std::vector<std::jthread> workers;
  std::atomic<int> served[2] = {0, 0};
  for (int w = 0; w < 2; ++w)
    workers.emplace_back([&, w](std::stop_token stop) {
      worker_t rep(ctx);
      rep.connect(back_ep);
      rep.serve(
          [&](order const& o, zg::peer_info const&) {
            ++served[w];
            std::this_thread::sleep_for(2ms);  // both workers take a share
            return ack_for(o.id);
          },
          stop);
    });

  tcp_dealer dealer(ctx, client_keys, server_keys.public_part());
  dealer.connect(front_ep);
  zg::caller<tcp_dealer> calls(dealer);
  std::vector<std::future<zg::call_result<order_ack>>> futures;
  for (std::uint64_t i = 1; i <= 32; ++i) futures.push_back(calls.call(numbered_order(i), 10s));
  calls.run_until_idle(15s);
  for (std::uint64_t i = 1; i <= 32; ++i) {
    auto& f = futures[i - 1];
    REQUIRE(f.wait_for(0s) == std::future_status::ready);
    auto const r = f.get();
    INFO("call ", i, ": ", zg::to_string(r.status()), " ", r.reason());
    REQUIRE(r.ok());
    CHECK(r->id == i);
  }
  CHECK(served[0] + served[1] == 32);
  INFO("events: ", seen);
  CHECK(seen.named("call.reply_refused").empty());
  for (auto& w : workers) w.request_stop();
  for (auto& w : workers) w.join();
  queue.terminate();
}

TEST_CASE("async call: a call whose deadline passes is timed_out while the others complete, and its late answer is refused as expired") {
  inproc_pair pair("async-deadline");
  auto& [seen, ctx, router, dealer] = pair;
  zg::caller<in_dealer> calls(dealer);
  std::map<std::uint64_t, zg::call_result<order_ack>> results;
  for (std::uint64_t i = 1; i <= 6; ++i)
    calls.call(numbered_order(i), i % 2 ? 150ms : 5s,
               [&results, i](zg::call_result<order_ack> r) { results.emplace(i, std::move(r)); });
  auto held = receive_n(router, 6, 2s);
  REQUIRE(held.size() == 6);
  for (auto const& r : held)
    if (r.value.id % 2 == 0) REQUIRE(router.reply(r, ack_for(r.value.id)));
  for (int i = 0; i < 100 && results.size() < 6; ++i) calls.poll_for(20ms);  // at most 2 s
  REQUIRE(results.size() == 6);
  for (auto const& [id, r] : results) {
    INFO("call ", id, ": ", zg::to_string(r.status()), " ", r.reason());
    if (id % 2) {
      CHECK(r.status() == zg::call_status::timed_out);
      CHECK(r.reason() == "deadline passed");
    } else {
      REQUIRE(r.ok());
      CHECK(r->id == id);
    }
  }
  // The expired calls' answers, late: refused, counted, logged, never delivered.
  for (auto const& r : held)
    if (r.value.id % 2) REQUIRE(router.reply(r, ack_for(r.value.id)));
  for (int i = 0; i < 100 && calls.refused_answers() < 3; ++i) calls.poll_for(20ms);
  INFO("events: ", seen);
  CHECK(calls.refused_answers() == 3);
  auto const refused = seen.named("call.reply_refused");
  REQUIRE(refused.size() == 3);
  for (auto const& e : refused) CHECK(e.field("reason") == "expired");
  CHECK(results.size() == 6);
}

TEST_CASE("async call: a forged call id, an answer without one and a second answer are refused and counted, the right one delivered") {
  captured_events seen;
  temp_dir dir;
  zg::context<test_domain> ctx(seen.sink());
  auto const path = "ipc://" + (dir.path / "forged.sock").string();
  zmq::context_t raw;
  zmq::socket_t service(raw, zmq::socket_type::router);
  service.set(zmq::sockopt::linger, 0);
  service.set(zmq::sockopt::rcvtimeo, 5000);
  service.bind(path);
  ipc_dealer dealer(ctx);
  dealer.connect(path);
  zg::caller<ipc_dealer> calls(dealer);
  auto f = calls.call(numbered_order(5), 5s);

  auto const request = recv_strings(service);
  REQUIRE(request.size() == 3);  // routing id, the empty delimiter, the correlated request
  CHECK(request[1].empty());
  auto const encoded = zg::encode(numbered_order(5));
  REQUIRE(request[2].size() == 9 + encoded.size());
  CHECK(std::uint8_t(request[2][0]) == 0x82);
  CHECK(request[2].substr(9) == std::string(encoded.begin(), encoded.end()));
  auto const id = request[2].substr(1, 8);
  auto const ack = zg::encode(ack_for(5));
  std::string const body(ack.begin(), ack.end());
  auto forged = id;
  forged[0] = char(forged[0] ^ 0x55);  // another id
  send_frames(service, std::vector<std::string>{request[0], "", "\x82" + forged + body});
  send_frames(service, std::vector<std::string>{request[0], "", body});  // no call id
  send_frames(service, std::vector<std::string>{request[0], "", "\x82" + id + body});
  send_frames(service, std::vector<std::string>{request[0], "", "\x82" + id + body});  // again
  for (int i = 0; i < 100 && calls.refused_answers() < 3; ++i) calls.poll_for(20ms);

  REQUIRE(f.wait_for(0s) == std::future_status::ready);
  auto const r = f.get();
  REQUIRE(r.ok());
  CHECK(r->id == 5);
  INFO("events: ", seen);
  CHECK(calls.refused_answers() == 3);
  auto const refused = seen.named("call.reply_refused");
  REQUIRE(refused.size() == 3);
  std::vector<std::string> reasons;
  for (auto const& e : refused) reasons.emplace_back(e.field("reason"));
  std::sort(reasons.begin(), reasons.end());
  CHECK(reasons == std::vector<std::string>{"completed", "no call id", "unknown"});
  CHECK(ctx.events().count("call.reply_refused") == 3);
}

// docs/wire-format.md, "Correlated calls": a REP answers a correlated
// request with the same call id in front of its reply, byte for byte the
// test vector; a REQ's uncorrelated request is answered as before.
TEST_CASE("async call: a REP echoes a request's call id, as the wire-format test vector says") {
  temp_dir dir;
  captured_events seen;
  zg::context<test_domain> ctx(seen.sink());
  auto const path = "ipc://" + (dir.path / "vector.sock").string();
  ipc_rep rep(ctx);
  rep.bind(path);
  zmq::context_t raw;
  zmq::socket_t client(raw, zmq::socket_type::dealer);
  client.set(zmq::sockopt::linger, 0);
  client.set(zmq::sockopt::rcvtimeo, 5000);
  client.connect(path);
  auto const request = zg::encode(numbered_order(7));
  send_frames(client, std::vector<std::string>{"", "\x82" + le64(0x0102030405060708) +
                                                       std::string(request.begin(), request.end())});
  auto const got = rep.receive();
  REQUIRE(got);
  CHECK(got->value.id == 7);
  REQUIRE(rep.reply(*got, order_ack{7, true, "ok"}));
  auto const answer = recv_strings(client);
  REQUIRE(answer.size() == 2);
  CHECK(answer[0].empty());
  std::string const vector = "820807060504030201010e746573742e6f726465725f61636b0100070000000000000001026f6b";
  CHECK(to_hex(answer[1]) == vector);
  CHECK(read_file(std::filesystem::path(ZGUARD_SOURCE_DIR) / "docs/wire-format.md").find(vector) !=
        std::string::npos);
  // Uncorrelated (as a REQ sends): answered without an id.
  send_frames(client, std::vector<std::string>{"", std::string(request.begin(), request.end())});
  auto const plain = rep.receive();
  REQUIRE(plain);
  REQUIRE(rep.send(order_ack{7, true, "ok"}));
  auto const plain_answer = recv_strings(client);
  REQUIRE(plain_answer.size() == 2);
  CHECK(to_hex(plain_answer[1]) == vector.substr(18));
  // A malformed id (0): refused with the refusal saying where.
  send_frames(client, std::vector<std::string>{"", "\x82" + le64(0) + std::string(request.begin(), request.end())});
  CHECK_FALSE(rep.receive());
  auto const refusal = recv_strings(client);
  REQUIRE(refusal.size() == 2);
  auto const why = zg::decode<zg::refusal>(refusal[1].data(), refusal[1].size());
  REQUIRE(why);
  CHECK(why->field.view() == "call id");
}

TEST_CASE("async call: retry with exponential backoff reaches a service that restarted") {
  static_assert(zg::retry<5, 50, 400>::backoff(1) == 50ms);
  static_assert(zg::retry<5, 50, 400>::backoff(2) == 100ms);
  static_assert(zg::retry<5, 50, 400>::backoff(3) == 200ms);
  static_assert(zg::retry<5, 50, 400>::backoff(4) == 400ms);
  static_assert(zg::retry<5, 50, 400>::backoff(9) == 400ms);
  curve_pair p;
  p.auth.allow(p.client_keys.public_part());
  tcp_dealer dealer(p.ctx, p.client_keys, p.server_keys.public_part());
  zg::caller<tcp_dealer, zg::retry<5, 50, 400>> calls(dealer);
  std::string address;
  std::optional<zg::call_result<order_ack>> result;
  {
    tcp_router first(p.ctx, p.auth, p.server_keys);
    address = first.bind("tcp://127.0.0.1:*").address;
    dealer.connect(address);
    calls.call(numbered_order(9), 10s, [&](zg::call_result<order_ack> r) { result.emplace(std::move(r)); });
    auto const got = receive_n(first, 1, 5s);
    REQUIRE(got.size() == 1);  // received, never answered: the service goes down
  }
  tcp_router second(p.ctx, p.auth, p.server_keys);
  bool rebound = false;  // libzmq closes the first listener in its own thread, soon
  for (int i = 0; i < 100 && !rebound; ++i) try {
      second.bind(address);
      rebound = true;
    } catch (zmq::error_t const&) {
      std::this_thread::sleep_for(20ms);
    }
  REQUIRE(rebound);
  std::jthread service([&second](std::stop_token stop) {
    second.serve([](order const& o, zg::peer_info const&) { return ack_for(o.id); }, stop);
  });
  calls.run_until_idle(10s);
  service.request_stop();
  service.join();
  REQUIRE(result);
  INFO(zg::to_string(result->status()), " ", result->reason());
  REQUIRE(result->ok());
  CHECK(result->value().id == 9);
  CHECK(result->attempts() >= 2);
}

TEST_CASE("async call: beyond in_flight<N> a call is not sent and completes at once as too_many_in_flight") {
  inproc_pair pair("async-limit");
  auto& [seen, ctx, router, dealer] = pair;
  zg::caller<in_dealer, zg::in_flight<4>> calls(dealer);
  std::vector<std::future<zg::call_result<order_ack>>> f;
  for (std::uint64_t i = 1; i <= 5; ++i) f.push_back(calls.call(numbered_order(i), 2s));
  CHECK(calls.in_flight() == 4);
  REQUIRE(f[4].wait_for(0s) == std::future_status::ready);
  auto const refused = f[4].get();
  CHECK(refused.status() == zg::call_status::too_many_in_flight);
  CHECK(refused.attempts() == 0);
  auto const held = receive_n(router, 5, 1s);
  CHECK(held.size() == 4);  // the fifth never went out
  for (auto const& r : held) REQUIRE(router.reply(r, ack_for(r.value.id)));
  calls.run_until_idle(2s);
  for (int i = 0; i < 4; ++i) {
    REQUIRE(f[std::size_t(i)].wait_for(0s) == std::future_status::ready);
    CHECK(f[std::size_t(i)].get().ok());
  }
  CHECK_THROWS_AS(calls.call(numbered_order(6), 0ms), std::invalid_argument);
  auto& m = ctx.metrics();
  CHECK(m.value("zguard_calls_total", {{"socket", in_dealer::label()}, {"status", "too_many_in_flight"}}) == 1);
  CHECK(m.value("zguard_calls_total", {{"socket", in_dealer::label()}, {"status", "replied"}}) == 4);
  CHECK(m.value("zguard_call_duration_seconds_count", {{"socket", in_dealer::label()}}) == 4);
}

TEST_CASE("async call: driven by an event_loop, answers complete callbacks and the loop's timers expire deadlines") {
  inproc_pair pair("async-loop");
  auto& [seen, ctx, router, dealer] = pair;
  zg::event_loop loop(10ms);
  zg::caller<in_dealer> calls(dealer);
  calls.attach(loop);
  loop.on(router, [](in_router& s) {
    if (auto r = s.receive(); r && r->value.id != 99) (void)s.reply(*r, ack_for(r->value.id));  // 99: never answered
  });
  std::stop_source stop;
  std::map<std::uint64_t, zg::call_result<order_ack>> results;
  auto done = [&](std::uint64_t i) {
    return [&, i](zg::call_result<order_ack> r) {
      results.emplace(i, std::move(r));
      if (results.size() == 17) stop.request_stop();
    };
  };
  loop.after(1ms, [&] {  // from the loop's thread, as its handlers would
    for (std::uint64_t i = 1; i <= 16; ++i) calls.call(numbered_order(i), 5s, done(i));
    calls.call(numbered_order(99), 100ms, done(99));
  });
  loop.after(5s, [&] { stop.request_stop(); });  // bound
  loop.run(stop.get_token());
  REQUIRE(results.size() == 17);
  for (auto const& [id, r] : results) {
    INFO("call ", id, ": ", zg::to_string(r.status()), " ", r.reason());
    if (id == 99) {
      CHECK(r.status() == zg::call_status::timed_out);
    } else {
      REQUIRE(r.ok());
      CHECK(r->id == id);
    }
  }
}

// A broker between a signed caller and a signed service that swaps the call
// ids of two answers: the ids are inside the signed bytes, so both answers
// fail their signature (verify.bad_signature) and neither call gets the
// other's reply. Unchanged answers passed in swapped order complete each
// call with its own.
TEST_CASE("async call: on a signed channel a broker that swaps call ids between answers cannot misdeliver them") {
  captured_events seen;
  temp_dir dir;
  zg::context<test_domain> ctx(seen.sink());
  auto server_key = zg::signing_key<zg::ed25519>::generate(), client_key = zg::signing_key<zg::ed25519>::generate();
  zg::verify_keys<zg::ed25519> clients, servers;
  clients.add(client_key.verify_part());
  servers.add(server_key.verify_part());
  auto const service_path = "ipc://" + (dir.path / "service.sock").string();
  auto const broker_path = "ipc://" + (dir.path / "broker.sock").string();
  signed_router service(ctx, server_key, clients);
  service.bind(service_path);
  zmq::context_t raw;
  zmq::socket_t front(raw, zmq::socket_type::router), back(raw, zmq::socket_type::dealer);
  for (auto* s : {&front, &back}) {
    s->set(zmq::sockopt::linger, 0);
    s->set(zmq::sockopt::rcvtimeo, 5000);
  }
  front.bind(broker_path);
  back.connect(service_path);
  signed_dealer dealer(ctx, client_key, servers);
  dealer.connect(broker_path);
  zg::caller<signed_dealer> calls(dealer);

  // Two calls through the broker; their answers come back as `pass` says.
  auto round = [&](std::uint64_t a, std::uint64_t b, bool swap_ids) {
    std::map<std::uint64_t, zg::call_result<order_ack>> results;
    for (auto i : {a, b})
      calls.call(numbered_order(i), 1500ms, [&results, i](zg::call_result<order_ack> r) { results.emplace(i, std::move(r)); });
    for (int k = 0; k < 2; ++k) send_frames(back, recv_strings(front));  // requests pass unchanged
    for (auto const& r : receive_n(service, 2, 3s)) REQUIRE(service.reply(r, ack_for(r.value.id)));
    auto first = recv_strings(back), second = recv_strings(back);
    REQUIRE(first.size() == 3);   // routing id, delimiter, sealed answer
    REQUIRE(second.size() == 3);
    if (swap_ids) {
      constexpr std::size_t id_at = 35 + 1;  // after the envelope header (no topic) and the 0x82 byte
      std::swap_ranges(first[2].begin() + id_at, first[2].begin() + id_at + 8, second[2].begin() + id_at);
    }
    send_frames(front, second);  // the later answer first
    send_frames(front, first);
    for (int i = 0; i < 200 && results.size() < 2; ++i) calls.poll_for(20ms);
    return results;
  };
  auto const honest = round(1, 2, false);
  REQUIRE(honest.size() == 2);
  for (auto const& [id, r] : honest) {
    REQUIRE(r.ok());
    CHECK(r->id == id);
  }
  auto const swapped = round(3, 4, true);
  INFO("events: ", seen);
  REQUIRE(swapped.size() == 2);
  for (auto const& [id, r] : swapped) {
    CHECK(r.status() == zg::call_status::timed_out);  // never the other's reply
  }
  CHECK(ctx.events().count("verify.bad_signature") == 2);
}

// A call made from a completion (inside the caller's dispatch, where the
// socket receives only what is ready) still waits the socket's receive
// timeout for its answer; it timed out at once when the attempt's wait was
// read from the ready-only socket.
TEST_CASE("async call: a call made from a completion waits its whole attempt for the answer") {
  inproc_pair pair("async-chain");
  auto& [seen, ctx, router, dealer] = pair;
  zg::caller<in_dealer> calls(dealer);
  std::optional<zg::call_result<order_ack>> second;
  calls.call(numbered_order(1), 5s, [&](zg::call_result<order_ack> first) {
    REQUIRE(first.ok());
    calls.call(numbered_order(2), 5s, [&](zg::call_result<order_ack> r) { second.emplace(std::move(r)); });
  });
  auto held = receive_n(router, 1, 2s);
  REQUIRE(held.size() == 1);
  REQUIRE(router.reply(held[0], ack_for(1)));
  for (int i = 0; i < 50 && calls.in_flight() == 1 && !second; ++i) calls.poll_for(10ms);
  auto const later = receive_n(router, 1, 2s);
  REQUIRE(later.size() == 1);
  for (int i = 0; i < 5; ++i) calls.poll_for(20ms);  // 100 ms: well within inproc_limits' 1 s
  CHECK_FALSE(second);
  REQUIRE(router.reply(later[0], ack_for(2)));
  for (int i = 0; i < 100 && !second; ++i) calls.poll_for(20ms);
  REQUIRE(second);
  INFO(zg::to_string(second->status()), " ", second->reason());
  CHECK(second->ok());
}

TEST_CASE("async call: on a Boost.Asio io_context, callbacks and use_future complete, the timer expires deadlines") {
  inproc_pair pair("async-asio");
  auto& [seen, ctx, router, dealer] = pair;
  zg::caller<in_dealer> calls(dealer);
  boost::asio::io_context io;
  zg::asio_caller driver(io, calls);
  std::map<std::uint64_t, zg::call_result<order_ack>> results;
  auto const thread_id = std::this_thread::get_id();
  bool on_io_thread = true;
  for (std::uint64_t i = 1; i <= 16; ++i)
    driver.async_call(numbered_order(i), i == 16 ? 200ms : 5s, [&, i](zg::call_result<order_ack> r) {
      on_io_thread = on_io_thread && std::this_thread::get_id() == thread_id;
      results.emplace(i, std::move(r));
    });
  auto future = driver.async_call(numbered_order(17), 5s, boost::asio::use_future);
  std::jthread service([&router] {
    auto const held = receive_n(router, 17, 5s);
    for (auto r = held.rbegin(); r != held.rend(); ++r)  // last asked first; call 16 is left unanswered
      if (r->value.id != 16) (void)router.reply(*r, ack_for(r->value.id));
  });
  for (auto const until = std::chrono::steady_clock::now() + 10s;
       std::chrono::steady_clock::now() < until &&
       (results.size() < 16 || future.wait_for(0s) != std::future_status::ready);)
    io.run_for(50ms);
  service.join();
  REQUIRE(results.size() == 16);
  CHECK(on_io_thread);
  for (auto const& [id, r] : results) {
    INFO("call ", id, ": ", zg::to_string(r.status()), " ", r.reason());
    if (id == 16) {
      CHECK(r.status() == zg::call_status::timed_out);  // its deadline, kept by the driver's timer
    } else {
      REQUIRE(r.ok());
      CHECK(r->id == id);
    }
  }
  REQUIRE(future.wait_for(0s) == std::future_status::ready);
  auto const through_future = future.get();
  REQUIRE(through_future.ok());
  CHECK(through_future->id == 17);
}
