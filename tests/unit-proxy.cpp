// Typed proxies (G13): a forwarder passes signed envelopes through
// unchanged, so subscribers behind it verify the original publisher; a
// forwarder that alters a message cannot make it verify; pause and resume
// steer the flow; a streamer moves a PUSH/PULL pipeline.
#include "schemas.hpp"
#include "support.hpp"
#include "support/slow_joiner.hpp"

#include <stop_token>
#include <thread>

using namespace zguard_test;
using namespace std::chrono_literals;

namespace {

using feed_limits = zg::limits<zg::send_hwm<10000>, zg::recv_hwm<10000>, zg::drop_when_full,
                               zg::max_message_size<512>, zg::linger_ms<0>, zg::send_timeout_ms<100>,
                               zg::recv_timeout_ms<200>, zg::handshake_timeout_ms<2000>>;
using tick_topic = zg::topic<"test.tick", tick>;
using signed_pub = zg::socket<test_domain, zg::ipc, zg::pub, zg::null_mechanism, feed_limits, tick_topic,
                              zg::signing<zg::ed25519>>;
using signed_sub = zg::socket<test_domain, zg::ipc, zg::sub, zg::null_mechanism, feed_limits, tick_topic,
                              zg::signing<zg::ed25519>>;
using front_t = zg::socket<test_domain, zg::ipc, zg::xsub, zg::null_mechanism, feed_limits>;
using back_t = zg::socket<test_domain, zg::ipc, zg::xpub, zg::null_mechanism, feed_limits>;

std::vector<std::uint32_t> receive_ticks(signed_sub& sub, std::size_t n, zg::key_id const& signer) {
  std::vector<std::uint32_t> got;
  auto const deadline = std::chrono::steady_clock::now() + 10s;
  while (got.size() < n && std::chrono::steady_clock::now() < deadline)
    if (auto m = sub.receive<tick>(); m && m->value.symbol.view() == "T") {
      CHECK(m->origin.key == signer);
      got.push_back(m->value.seq);
    }
  return got;
}

// A context, a publisher's key and the subscribers' key set.
struct signed_feed_fixture {
  captured_events seen;
  temp_dir dir;
  zg::context<test_domain> ctx{seen.sink()};
  zg::signing_key<zg::ed25519> key = zg::signing_key<zg::ed25519>::generate();
  zg::verify_keys<zg::ed25519> keys = [this] {
    zg::verify_keys<zg::ed25519> k;
    k.add(key.verify_part());
    return k;
  }();
};

}  // namespace

TEST_CASE("forwarder: subscribers behind it verify the original publisher, pause and resume steer it") {
  signed_feed_fixture fx;
  auto& [seen, dir, ctx, key, keys] = fx;

  front_t front(ctx);
  back_t back(ctx);
  auto front_ep = front.bind("ipc://" + (dir.path / "in.sock").string());
  auto back_ep = back.bind("ipc://" + (dir.path / "out.sock").string());
  zg::proxy<front_t, back_t> forwarder(ctx, front, back);
  CHECK(zg::proxy<front_t, back_t>::profile().find("XSUB socket") != std::string::npos);

  signed_pub publisher(ctx, key);
  publisher.connect(front_ep);
  signed_sub subscriber(ctx, keys);
  subscriber.connect(back_ep);
  REQUIRE(joined(publisher, subscriber));

  for (std::uint32_t i = 1; i <= 50; ++i) REQUIRE(publisher.send(tick{"T", i, i}));
  auto got = receive_ticks(subscriber, 50, key.id());
  REQUIRE(got.size() == 50);
  CHECK(got.front() == 1);
  CHECK(got.back() == 50);

  forwarder.pause();
  std::this_thread::sleep_for(100ms);
  for (std::uint32_t i = 51; i <= 55; ++i) REQUIRE(publisher.send(tick{"T", i, i}));
  CHECK(receive_ticks(subscriber, 1, key.id()).empty());  // held while paused (within the HWM)
  forwarder.resume();
  CHECK(receive_ticks(subscriber, 5, key.id()) == std::vector<std::uint32_t>{51, 52, 53, 54, 55});
  forwarder.terminate();
  CHECK(ctx.events().count("verify.bad_signature") == 0);
}

TEST_CASE("a forwarder that alters a message cannot make it verify") {
  signed_feed_fixture fx;
  auto& [seen, dir, ctx, key, keys] = fx;
  // A compromised relay: a raw XSUB/XPUB loop that raises every price.
  zmq::context_t raw;
  zmq::socket_t in(raw, zmq::socket_type::xsub), out(raw, zmq::socket_type::xpub);
  for (auto* s : {&in, &out}) {
    s->set(zmq::sockopt::linger, 0);
    s->set(zmq::sockopt::rcvtimeo, 50);
  }
  auto const in_path = "ipc://" + (dir.path / "in.sock").string(), out_path = "ipc://" + (dir.path / "out.sock").string();
  in.bind(in_path);
  out.bind(out_path);
  std::atomic<int> altered = 0;
  std::jthread relay([&](std::stop_token stop) {
    while (!stop.stop_requested()) {
      std::vector<zmq::message_t> f;
      if (zmq::recv_multipart(out, std::back_inserter(f))) zmq::send_multipart(in, f);  // subscriptions upstream
      f.clear();
      if (!zmq::recv_multipart(in, std::back_inserter(f))) continue;
      auto* sealed = f.size() == 2 ? static_cast<std::uint8_t*>(f[1].data()) : nullptr;
      if (sealed && f[1].size() > 35 + std::size_t(sealed[34]) + 64 + 8) {  // topic, header || payload || signature
        sealed[35 + sealed[34] + 5] ^= 0x40;                                 // change the payload
        ++altered;
      }
      zmq::send_multipart(out, f);
    }
  });
  signed_pub publisher(ctx, key);
  publisher.connect(in_path);
  signed_sub subscriber(ctx, keys);
  subscriber.connect(out_path);
  // Nothing the relay touched is ever delivered, not even the warm-ups.
  REQUIRE(eventually([&] {
    (void)publisher.send(tick{"T", 1, 1});
    (void)subscriber.receive<tick>();
    return altered > 5 && ctx.events().count("verify.bad_signature") > 5;
  }));
  for (int i = 0; i < 5; ++i) {
    (void)publisher.send(tick{"T", 2, 2});
    CHECK_FALSE(subscriber.receive<tick>());
  }
  relay.request_stop();
}

TEST_CASE("streamer: PULL -> PUSH carries a signed stream to its workers") {
  captured_events seen;
  zg::context<test_domain> ctx(seen.sink());
  using L = inproc_limits;
  using pull_t = zg::socket<test_domain, zg::inproc, zg::pull, zg::null_mechanism, L>;
  using push_t = zg::socket<test_domain, zg::inproc, zg::push, zg::null_mechanism, L>;
  auto group = zg::signing_key<zg::blake2b_mac>::generate();
  zg::verify_keys<zg::blake2b_mac> keys;
  keys.add(group);
  pull_t front(ctx);
  push_t back(ctx);
  auto in = front.bind(zg::endpoint<zg::inproc, test_domain>("inproc://stream-in"));
  auto out = back.bind(zg::endpoint<zg::inproc, test_domain>("inproc://stream-out"));
  // Every message the streamer passes is also copied to a capture socket.
  push_t capture(ctx);
  pull_t capture_reader(ctx);
  capture_reader.connect(capture.bind(zg::endpoint<zg::inproc, test_domain>("inproc://stream-capture")));
  zg::proxy<pull_t, push_t> streamer(ctx, front, back, capture);
  zg::socket<test_domain, zg::inproc, zg::push, zg::null_mechanism, L, zg::stream<order>, zg::signing<zg::blake2b_mac>>
      source(ctx, group);
  zg::socket<test_domain, zg::inproc, zg::pull, zg::null_mechanism, L, zg::stream<order>, zg::signing<zg::blake2b_mac>>
      worker(ctx, keys);
  source.connect(in);
  worker.connect(out);
  for (int i = 0; i < 20; ++i) REQUIRE(source.send(sample_order()));
  for (std::uint64_t i = 1; i <= 20; ++i) {
    auto got = worker.receive<order>();
    REQUIRE(got);
    CHECK(got->origin.sequence == i);
  }
  for (int i = 0; i < 20; ++i) {
    auto copy = capture_reader.receive_multipart();
    REQUIRE(copy);
    CHECK(copy->size() == 1);  // header || payload || signature: the envelope as it passed
  }
}

TEST_CASE("queue: a CURVE ROUTER front, workers behind a DEALER, the front's rate limit and identity rules hold") {
  captured_events seen;
  zg::context<test_domain> ctx(seen.sink());
  zg::authenticator<test_domain> auth(ctx);
  auto server_keys = zg::keypair::generate(), polite_keys = zg::keypair::generate(),
       flooder_keys = zg::keypair::generate();
  auth.allow(polite_keys.public_part());
  auth.allow(flooder_keys.public_part());
  using front_limits = zg::limits<zg::send_hwm<1000>, zg::recv_hwm<1000>, zg::block_when_full,
                                  zg::max_message_size<4096>, zg::linger_ms<0>, zg::send_timeout_ms<1000>,
                                  zg::recv_timeout_ms<500>, zg::handshake_timeout_ms<2000>, zg::per_peer_rate<50, 10>>;
  using broker_front = zg::socket<test_domain, zg::tcp, zg::router, zg::curve_server, front_limits>;
  using broker_back = zg::socket<test_domain, zg::inproc, zg::dealer, zg::null_mechanism, inproc_limits>;
  using worker_t = zg::socket<test_domain, zg::inproc, zg::rep, zg::null_mechanism, inproc_limits,
                              zg::service<order, order_ack>>;
  using client_t = zg::socket<test_domain, zg::tcp, zg::req, zg::curve_client, rr_limits, zg::service<order, order_ack>>;
  broker_front front(ctx, auth, server_keys);
  broker_back back(ctx);
  auto front_ep = front.bind("tcp://127.0.0.1:*");
  auto back_ep = back.bind(zg::endpoint<zg::inproc, test_domain>("inproc://workers"));
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
            return order_ack{o.id, true, "worker " + std::to_string(w)};
          },
          stop);
    });

  // A flooder pipelines 200 requests through the broker.
  zmq::context_t raw;
  auto flooder = raw_curve(raw, zmq::socket_type::dealer, flooder_keys, server_keys, 1000, -1);
  flooder.connect(front_ep.address);
  auto const request = zg::encode(sample_order());
  for (int i = 0; i < 200; ++i) {
    (void)flooder.send(zmq::const_buffer(nullptr, 0), zmq::send_flags::sndmore);
    (void)flooder.send(zmq::buffer(request));
  }
  // A polite client is served in full meanwhile, by both workers.
  client_t client(ctx, polite_keys, server_keys.public_part());
  client.connect(front_ep);
  call_each(client, 20, numbered_order, 20ms);
  // Each of its requests is served or answered "rate limited" by the front.
  int flood_replies = 0, limited = 0;
  for (std::vector<zmq::message_t> f; zmq::recv_multipart(flooder, std::back_inserter(f)); f.clear()) {
    REQUIRE(f.size() == 2);  // [delimiter, answer]: the envelope it came with
    auto const& body = f.back();
    if (zg::decode<order_ack>(body.data(), body.size())) ++flood_replies;
    else if (auto r = zg::decode<zg::refusal>(body.data(), body.size());
             r && r->field.view().starts_with("rate limited; retry after "))
      ++limited;
  }
  MESSAGE("flooder got " << flood_replies << " replies and " << limited << " rate-limit answers of 200");
  CHECK(flood_replies < 200);
  CHECK(flood_replies + limited == 200);
  CHECK(ctx.events().count("rate.limited") == std::uint64_t(limited));
  CHECK(served[0] + served[1] == 20 + flood_replies);

  // A typed client that calls faster than its rate learns it, and how long to wait.
  client_t eager(ctx, flooder_keys, server_keys.public_part());
  eager.connect(front_ep);
  std::optional<zg::call_result<order_ack>> refused;
  for (int i = 0; i < 500 && !refused; ++i)
    if (auto r = eager.call(numbered_order(std::uint64_t(1000 + i)), 1); r.status() == zg::call_status::rate_limited)
      refused.emplace(r);
  REQUIRE(refused);
  CHECK(refused->attempts() == 1);
  CHECK(refused->retry_after() > 0ms);
  CHECK(refused->retry_after() <= 20ms);  // 50 tokens a second: one every 20 ms
  CHECK(refused->reason().starts_with("rate limited; retry after "));
  for (auto& w : workers) w.request_stop();
  for (auto& w : workers) w.join();
  queue.terminate();
}
