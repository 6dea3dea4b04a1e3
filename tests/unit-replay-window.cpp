// The anti-replay window signed envelopes and broker vouches share
// (detail/replay_window.hpp): duplicates and too-old sequences refused, the
// window sliding forward, one window per sender run, and the least recently
// used run forgotten at capacity.
#include <doctest/doctest.h>
#include <zguard/detail/replay_window.hpp>

#include <cstdint>
#include <utility>

namespace {

using run = std::pair<int, std::uint64_t>;  // (key, epoch), as the callers key their runs
using window_1024 = zguard::detail::replay_tracker<run, 1024>;
run const a{1, 7}, b{2, 7}, c{1, 8};

}  // namespace

TEST_CASE("replay window: a sequence is accepted once, in any order inside the window") {
  window_1024 w(4);
  CHECK(w.record(a, 10));
  CHECK_FALSE(w.record(a, 10));
  CHECK(w.record(a, 12));
  CHECK(w.record(a, 11));  // late, but inside the window and not seen
  CHECK(w.record(a, 3));
  CHECK_FALSE(w.record(a, 11));
  CHECK_FALSE(w.record(a, 3));
  CHECK_FALSE(w.record(a, 12));
  CHECK(w.record(b, 0));  // sequence 0 is a sequence like any other
  CHECK_FALSE(w.record(b, 0));
}

TEST_CASE("replay window: Window or more behind the highest is refused, unseen or not") {
  window_1024 w(4);
  REQUIRE(w.record(a, 2000));
  CHECK_FALSE(w.record(a, 2000 - 1024));
  CHECK_FALSE(w.record(a, 1));
  CHECK(w.record(a, 2000 - 1023));  // the oldest still inside
  CHECK_FALSE(w.record(a, 2000 - 1023));
}

TEST_CASE("replay window: sliding forward forgets the bits it moves past, and only those") {
  window_1024 w(4);
  for (std::uint64_t s = 1; s <= 10; ++s) REQUIRE(w.record(a, s));
  // 1030 moves the window by 1020: sequences 1..6 fall out (their bits are
  // reused by 1025..1030), 7..10 stay inside and stay seen.
  REQUIRE(w.record(a, 1030));
  for (std::uint64_t s = 1; s <= 6; ++s) CHECK_FALSE(w.record(a, s));
  for (std::uint64_t s = 7; s <= 10; ++s) CHECK_FALSE(w.record(a, s));
  for (std::uint64_t s = 1025; s <= 1029; ++s) CHECK(w.record(a, s));  // same bits as 1..5, never seen
  CHECK(w.record(a, 11));
  // A jump of more than the window clears it all.
  REQUIRE(w.record(a, 5000));
  CHECK(w.record(a, 5000 - 1023));
  CHECK(w.record(a, 4990));
  CHECK_FALSE(w.record(a, 4990));
  CHECK_FALSE(w.record(a, 1030));
}

TEST_CASE("replay window: each run (key, epoch) has its own window") {
  window_1024 w(4);
  CHECK(w.record(a, 5));
  CHECK(w.record(b, 5));  // another key
  CHECK(w.record(c, 5));  // the same key, a new epoch (a restarted sender)
  CHECK(w.record(c, 100000));
  CHECK_FALSE(w.record(a, 5));
  CHECK(w.record(a, 6));  // a's window did not move with c's
  CHECK(w.runs() == 3);
}

TEST_CASE("replay window: at capacity the least recently used run is forgotten") {
  window_1024 w(2);
  REQUIRE(w.record(a, 1));
  REQUIRE(w.record(b, 1));
  CHECK_FALSE(w.record(a, 1));  // a refused replay is still use: a is now the more recent
  REQUIRE(w.record(c, 1));      // third run: b goes
  CHECK(w.runs() == 2);
  CHECK_FALSE(w.record(a, 1));  // a was kept
  CHECK_FALSE(w.record(c, 1));
  CHECK(w.record(b, 1));  // b was forgotten: its old sequence is new again (freshness is the caller's check)
  CHECK(w.runs() == 2);
  CHECK(w.record(a, 1));  // b's return pushed out a, the least recent of a and c
}

TEST_CASE("replay window: room for no run still keeps the one just seen") {
  zguard::detail::replay_tracker<run, 64> w(0);
  CHECK(w.record(a, 1));
  CHECK_FALSE(w.record(a, 1));
  CHECK(w.record(a, 64));
  CHECK_FALSE(w.record(a, 0));  // 64 behind: outside a 64-wide window
  CHECK(w.record(b, 1));
  CHECK(w.runs() == 1);
  CHECK(w.record(a, 1));
}
