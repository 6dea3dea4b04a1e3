// zguard/batching.hpp - several typed messages in one frame (opt-in).
//
//   zguard::socket<..., zguard::stream<reading>, zguard::batched<64, 5>>
//
// A batched sender packs up to N messages of its channel into one frame and
// sends it when N are waiting or when the oldest has waited MaxDelayMs (the
// wait is checked on every send and by flush_if_due(); an idle producer
// calls flush()). A batched receiver unpacks them and hands them out one by
// one, as if each had come alone. Libzmq's per-frame costs (CURVE's box,
// the envelope's signature) are paid once per batch; on a signed socket one
// signature covers every message in the batch, in order, so none can be
// dropped, replayed, re-ordered or moved to another topic alone.
//
// Both sides declare it: a batch is refused by an unbatched receiver, and a
// lone message by a batched one (docs/wire-format.md, "Batches").
//
//   zguard::socket<..., zguard::topic<"ticks", tick>, zguard::coalesced<256, 100>>
//
// coalesced<N, GapUs> is the same batch on the wire, sent differently: a
// message goes out at once, alone in its batch, when the socket's last
// frame left GapUs or more ago (an idle sender adds no wait); otherwise it
// waits, with what the application sends meanwhile, until GapUs have
// passed since that frame or N wait. Under load a frame leaves at most
// every GapUs and carries what came in between, as NATS's client flushes
// what was written while its last flush was on the way.
#pragma once

#include <algorithm>
#include <chrono>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>

#include <zguard/codec.hpp>
#include <zguard/detail/bytes.hpp>
#include <zguard/detail/closed.hpp>
#include <zguard/slots.hpp>

namespace zguard {
inline namespace v0 {

namespace bounds {
inline constexpr int max_batch = 4096;
inline constexpr int max_batch_delay_ms = 10'000;
inline constexpr int max_coalesce_gap_us = 1'000'000;
}  // namespace bounds

// N: 2 .. 4096 messages a batch; MaxDelayMs: 1 .. 10000, the longest a
// message waits for its batch to fill while the sender is used. The ranges
// are checked where a socket reads the policy (detail::batching_members_hold),
// so a specialization of the template cannot skip them.
template <int N, int MaxDelayMs>
struct batched {
  using zguard_slot = slot::batching;
  static constexpr std::size_t max_messages = std::size_t(N);
  static constexpr std::chrono::milliseconds max_delay{MaxDelayMs};
  static constexpr bool coalesces = false;
};

// N: 2 .. 4096 messages a batch; GapUs: 1 .. 1000000, the shortest time
// between two frames while messages keep coming, and so the longest a
// message waits while the sender is used. Checked as batched's are.
template <int N, int GapUs>
struct coalesced {
  using zguard_slot = slot::batching;
  static constexpr std::size_t max_messages = std::size_t(N);
  static constexpr std::chrono::microseconds max_delay{GapUs};
  static constexpr bool coalesces = true;
};

namespace detail {

// Exactly zguard::batched<N, Ms> or zguard::coalesced<N, Us>; a derived or
// hand-written policy is refused.
struct batching_tags {
  static consteval bool of(...) { return false; }
  template <int N, int Ms>
  static consteval bool of(batched<N, Ms>**) { return true; }
  template <int N, int Us>
  static consteval bool of(coalesced<N, Us>**) { return true; }
};
template <class B>
concept is_batching_tag = closed_member<batching_tags, B>;

// A batching policy's arguments are in range and its members are those
// arguments, checked where a socket reads them (part_rules.hpp), not in
// the templates: the language lets a program specialize batched<N, Ms> or
// coalesced<N, Us> with members of its own (an N past the batch count's
// u16, a delay of an hour), which skips a primary template's checks.
template <class B, class Delay, bool Coalesces>
consteval bool batching_members_are(std::size_t n, Delay delay) {
  if constexpr (requires {
                  { B::max_messages } -> std::convertible_to<std::size_t>;
                  { B::max_delay } -> std::convertible_to<Delay>;
                  { B::coalesces } -> std::convertible_to<bool>;
                })
    return B::max_messages == n && B::max_delay == delay && B::coalesces == Coalesces;
  else return false;
}
template <int N, int MaxDelayMs>
consteval bool batching_members_hold(batched<N, MaxDelayMs>*) {
  static_assert(N >= 2 && N <= bounds::max_batch,
                "zguard::batched<N, MaxDelayMs>: N must be >= 2 (one message needs no batch) and <= 4096: "
                "range 2..4096 messages");
  static_assert(MaxDelayMs >= 1 && MaxDelayMs <= bounds::max_batch_delay_ms,
                "zguard::batched<N, MaxDelayMs>: MaxDelayMs must be >= 1 and <= 10000 (a message waits at "
                "most that long for its batch to fill): range 1..10000 ms");
  constexpr bool same = batching_members_are<batched<N, MaxDelayMs>, std::chrono::milliseconds, false>(
      std::size_t(N), std::chrono::milliseconds(MaxDelayMs));
  static_assert(same,
                "zguard::socket: this batching policy's members are not its template's arguments: a "
                "specialization of batched<N, Ms> or coalesced<N, Us> may not change N, the delay or the mode");
  return N >= 2 && N <= bounds::max_batch && MaxDelayMs >= 1 && MaxDelayMs <= bounds::max_batch_delay_ms && same;
}
template <int N, int GapUs>
consteval bool batching_members_hold(coalesced<N, GapUs>*) {
  static_assert(N >= 2 && N <= bounds::max_batch,
                "zguard::coalesced<N, GapUs>: N must be >= 2 (one message needs no batch) and <= 4096: "
                "range 2..4096 messages");
  static_assert(GapUs >= 1 && GapUs <= bounds::max_coalesce_gap_us,
                "zguard::coalesced<N, GapUs>: GapUs must be >= 1 and <= 1000000 (a message waits at most that "
                "long after the last frame): range 1..1000000 us");
  constexpr bool same = batching_members_are<coalesced<N, GapUs>, std::chrono::microseconds, true>(
      std::size_t(N), std::chrono::microseconds(GapUs));
  static_assert(same,
                "zguard::socket: this batching policy's members are not its template's arguments: a "
                "specialization of batched<N, Ms> or coalesced<N, Us> may not change N, the delay or the mode");
  return N >= 2 && N <= bounds::max_batch && GapUs >= 1 && GapUs <= bounds::max_coalesce_gap_us && same;
}

// Batch format 1:  0x81 | count (u16 LE) | count x (length (u32 LE) | schema message)
inline constexpr std::uint8_t batch_format = 0x81;
inline constexpr std::size_t batch_header_size = 3;
inline constexpr std::size_t batch_item_prefix = 4;

// The largest batch of N messages of schema S.
template <class S, std::size_t N>
inline constexpr std::size_t max_batch_size = batch_header_size + N * (batch_item_prefix + max_encoded_size<S>);

// How many messages a payload holds by its first bytes: a batch its
// count, anything else one (what a rate limit charges, and what a sealed
// feed's header states; detail/feed_seal.hpp).
inline std::size_t messages_in(std::span<std::uint8_t const> payload) {
  return payload.size() >= batch_header_size && payload[0] == batch_format ? get_u16(payload.data() + 1) : 1;
}

// Checks the framing of a whole batch against the receiver's bounds before
// any of its messages is handed out: a count of 1..max_count, each length
// 1..max_item, and the items ending exactly at the end of the frame. Every
// length is compared with what is left before it is used.
inline std::optional<decode_error> check_batch(std::span<std::uint8_t const> b, std::size_t max_count,
                                               std::size_t max_item) {
  if (b.empty() || b[0] != batch_format) return decode_error{decode_reason::unsupported_format, "batch", 0};
  if (b.size() < batch_header_size) return decode_error{decode_reason::truncated, "batch.count", 1};
  std::size_t const count = get_u16(b.data() + 1);
  if (count == 0 || count > max_count) return decode_error{decode_reason::length_over_bound, "batch.count", 1};
  std::size_t at = batch_header_size;
  // The field text ("batch[i]") is made only for a refusal, not for every
  // message of every good batch.
  auto refused = [&](decode_reason r, std::size_t i) {
    return decode_error{r, "batch[" + std::to_string(i) + "]", at};
  };
  for (std::size_t i = 0; i < count; ++i) {
    if (b.size() - at < batch_item_prefix) return refused(decode_reason::truncated, i);
    std::size_t const len = get_u32(b.data() + at);
    if (len == 0 || len > max_item) return refused(decode_reason::length_over_bound, i);
    at += batch_item_prefix;
    if (b.size() - at < len) return refused(decode_reason::truncated, i);
    at += len;
  }
  if (at != b.size()) return decode_error{decode_reason::trailing_bytes, "batch", at};
  return std::nullopt;
}

// Reads the messages of a batch check_batch() accepted, in order.
class batch_cursor {
 public:
  batch_cursor() = default;
  explicit batch_cursor(std::span<std::uint8_t const> checked)
      : rest_(checked.subspan(batch_header_size)), count_(get_u16(checked.data() + 1)) {}
  bool done() const { return index_ == count_; }
  std::uint16_t index() const { return index_; }  // of the message next() gives
  std::size_t left() const { return count_ - index_; }
  // Hands out only the next n (<= left()) messages; the rest are skipped.
  void keep(std::size_t n) { count_ = std::uint16_t(index_ + std::min(n, left())); }
  std::span<std::uint8_t const> next() {
    std::size_t const len = get_u32(rest_.data());
    auto item = rest_.subspan(batch_item_prefix, len);
    rest_ = rest_.subspan(batch_item_prefix + len);
    ++index_;
    return item;
  }

 private:
  std::span<std::uint8_t const> rest_;
  std::uint16_t count_ = 0;
  std::uint16_t index_ = 0;
};

// The batch a sender is filling: its bytes in one buffer allocated once at
// the largest batch, so steady state allocates nothing. Before and After
// bytes are kept free in front of the batch and behind its largest size, in
// the same buffer: a signer seals the batch where it lies (envelope.hpp,
// signer::seal_in_place), with no copy before signing.
template <class S, std::size_t N, std::size_t Before = 0, std::size_t After = 0>
class batch_builder {
 public:
  using clock = std::chrono::steady_clock;
  static constexpr std::size_t capacity = Before + max_batch_size<S, N> + After;

  batch_builder() : buf_(std::make_unique_for_overwrite<std::uint8_t[]>(capacity)) {}

  std::size_t count() const { return count_; }
  bool full() const { return count_ == N; }
  bool empty() const { return count_ == 0; }
  clock::time_point oldest() const { return oldest_; }  // when the first waiting message came
  std::span<std::uint8_t const> bytes() const { return {buf_.get() + Before, size_}; }
  // Before bytes, the batch, After bytes: the room a signer seals it in.
  std::span<std::uint8_t> with_room() { return {buf_.get(), Before + size_ + After}; }

  void add(S const& msg, clock::time_point now) {
    std::size_t const len = encoded_size(msg);
    // Bounded types keep len within max_encoded_size<S>; checked anyway, as
    // the buffer is sized by it.
    if (count_ == N || len > max_encoded_size<S>)
      throw std::length_error("zguard::batch_builder: the batch is full or the message over its schema's bound");
    std::uint8_t* const b = buf_.get() + Before;
    if (count_ == 0) {
      b[0] = batch_format;
      size_ = batch_header_size;
      oldest_ = now;
    }
    put_u32(b + size_, std::uint32_t(len));
    encode_into(msg, b + size_ + batch_item_prefix);
    size_ += batch_item_prefix + len;
    ++count_;
    put_u16(b + 1, std::uint16_t(count_));
  }
  void clear() {
    size_ = 0;
    count_ = 0;
  }

 private:
  std::unique_ptr<std::uint8_t[]> buf_;
  std::size_t size_ = 0;  // of the batch, from its format byte
  std::size_t count_ = 0;
  clock::time_point oldest_{};
};

}  // namespace detail

// Batching: exactly zguard::batched<N, MaxDelayMs> or zguard::coalesced<N, GapUs>.
template <class B>
concept BatchingPolicy = detail::is_batching_tag<B>;

}  // namespace v0
}  // namespace zguard
