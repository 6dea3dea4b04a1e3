// The receive stages (socket/stage_*.hpp) driven alone, without a socket:
// real frames in, a verdict out, as the receive path sees them.

#include <doctest/doctest.h>

#include <zguard/batching.hpp>
#include <zguard/channel.hpp>
#include <zguard/codec.hpp>
#include <zguard/socket/incoming.hpp>
#include <zguard/socket/stage_batch.hpp>
#include <zguard/socket/stage_decode.hpp>
#include <zguard/socket/stage_frames.hpp>
#include <zguard/socket/stage_rate.hpp>
#include <zguard/socket/stage_topic.hpp>
#include <zguard/socket/verdict.hpp>

#include "schemas.hpp"
#include "support.hpp"

#include <array>
#include <string>
#include <vector>

using namespace zguard_test;
namespace zd = zguard::detail;
using kind = zd::verdict::kind;

namespace {

using market = zg::topics<zg::topic<"ticks", tick>, zg::topic<"notes", note>>;
using ticks = zg::topic<"ticks", tick>;
using stream_of_ticks = zg::stream<tick>;

// A received message as the receive path holds it: its frames, and the
// facts the stages fill in.
struct held {
  std::vector<zmq::message_t> frames;
  zd::incoming in{frames, {}, {}, {}, {}, 0, 0, 0, {}};

  explicit held(std::vector<std::vector<std::uint8_t>> const& parts) {
    for (auto const& p : parts) frames.emplace_back(p.data(), p.size());
  }
};

std::vector<std::uint8_t> text(std::string_view s) { return {s.begin(), s.end()}; }

}  // namespace

TEST_CASE("receive stages: topic takes exactly a declared topic subscribed now") {
  std::array<bool, market::count> subscribed{true, false};  // "ticks" only
  auto const payload = zg::encode(tick{"EURUSD", 5, 1});

  held on_ticks({text("ticks"), payload});
  auto v = zd::topic_stage<market>(on_ticks.in, subscribed);
  CHECK(v.accepted());
  CHECK(on_ticks.in.topic == 0);

  held on_notes({text("notes"), payload});  // declared, not subscribed: dropped quietly
  v = zd::topic_stage<market>(on_notes.in, subscribed);
  CHECK(v.what() == kind::skip);
  CHECK(!v.logs_refusal());
  CHECK(!v.answers());

  held on_prefix({text("ticks.eu"), payload});  // a prefix match of a subscription, not declared
  v = zd::topic_stage<market>(on_prefix.in, subscribed);
  CHECK(v.what() == kind::refuse);
  CHECK(v.error().reason == zg::decode_reason::wrong_schema);
  CHECK(v.error().field == "topic frame");

  held no_topic({payload});  // one frame: no topic frame at all
  CHECK(zd::topic_stage<market>(no_topic.in, subscribed).what() == kind::refuse);
}

TEST_CASE("receive stages: frames of an unsigned message, then decode into the channel's schema") {
  auto const payload = zg::encode(tick{"EURUSD", -1, 3});

  held topic_ok({text("ticks"), payload});
  REQUIRE(zd::frames_stage<ticks, false, true>(topic_ok.in).accepted());
  CHECK(topic_ok.in.payload.size() == payload.size());
  tick got{};
  REQUIRE(zd::decode_stage<ticks, false>(got, topic_ok.in).accepted());
  CHECK(got == tick{"EURUSD", -1, 3});

  held other_topic({text("tickz"), payload});
  auto v = zd::frames_stage<ticks, false, true>(other_topic.in);
  CHECK(v.what() == kind::refuse);  // a SUB has no one to answer
  CHECK(v.error().field == "topic frame");

  held extra({payload, payload});  // a service or stream message is one frame: refused and answered
  v = zd::frames_stage<stream_of_ticks, false, false>(extra.in);
  CHECK(v.what() == kind::refuse_and_answer);
  CHECK(v.error().reason == zg::decode_reason::trailing_bytes);
  CHECK(v.error().field == "extra frames");

  auto cut = payload;
  cut.pop_back();
  held short_one({cut});
  REQUIRE(zd::frames_stage<stream_of_ticks, false, false>(short_one.in).accepted());
  v = zd::decode_stage<stream_of_ticks, false>(got, short_one.in);
  CHECK(v.what() == kind::refuse_and_answer);
  CHECK(v.error().reason == zg::decode_reason::truncated);
}

TEST_CASE("receive stages: batch framing is judged whole, then each message decoded with its place") {
  zd::batch_builder<tick, 4> b;
  b.add(tick{"A", 1, 1}, {});
  b.add(tick{"B", 2, 2}, {});
  auto const bytes = std::vector<std::uint8_t>(b.bytes().begin(), b.bytes().end());
  std::size_t const max_item = zg::max_encoded_size<tick>;

  CHECK(zd::batch_framing_stage(bytes, 4, max_item).accepted());
  auto v = zd::batch_framing_stage(bytes, 1, max_item);  // more messages than this receiver's N
  CHECK(v.what() == kind::refuse);
  CHECK(v.error().field == "batch.count");
  auto cut = bytes;
  cut.pop_back();
  CHECK(zd::batch_framing_stage(cut, 4, max_item).what() == kind::refuse);
  auto lone = zg::encode(tick{"A", 1, 1});  // a lone message where a batch is due
  CHECK(zd::batch_framing_stage(lone, 4, max_item).error().reason == zg::decode_reason::unsupported_format);

  // A message of the batch that does not decode names its place.
  held in_batch({bytes});
  zd::batch_cursor items(bytes);
  in_batch.in.origin.batch_index = items.index();
  in_batch.in.payload = items.next().first(3);
  tick got{};
  v = zd::decode_stage<stream_of_ticks, true>(got, in_batch.in);
  CHECK(v.what() == kind::refuse_and_answer);
  CHECK(v.error().field.rfind("batch[0]", 0) == 0);
  in_batch.in.origin.batch_index = items.index();
  in_batch.in.payload = items.next();
  REQUIRE(zd::decode_stage<stream_of_ticks, true>(got, in_batch.in).accepted());
  CHECK(got == tick{"B", 2, 2});
}

TEST_CASE("receive stages: rate refuses past the burst, answered, one rate.limited with dropped 1") {
  captured_events seen;
  zg::event_log log(seen.sink());
  zd::token_buckets buckets(1.0, 2.0);
  zg::peer_info peer;
  peer.peer_address = std::string_view("10.0.0.7");
  std::string const label = "test socket";
  zd::bucket_id const who(std::string_view("10.0.0.7"));
  CHECK(zd::rate_stage(buckets, who, peer, log, label).accepted());
  CHECK(zd::rate_stage(buckets, who, peer, log, label).accepted());
  CHECK(seen.named("rate.limited").empty());
  auto v = zd::rate_stage(buckets, who, peer, log, label);
  CHECK(v.what() == kind::answer);  // the stage logged its event; the path answers
  CHECK(v.error().reason == zg::decode_reason::peer_refused);
  CHECK(v.error().field == "rate limited; retry after 1000 ms");  // 1 token a second, none left
  auto const limited = seen.named("rate.limited");
  REQUIRE(limited.size() == 1);
  CHECK(limited[0].field("address") == "10.0.0.7");
  CHECK(limited[0].field("dropped") == "1");
}
