// zguard/connection.hpp - how a socket's connections behave (G6): ZMTP
// heartbeats, reconnect back-off, TCP keepalive, connect timeout,
// immediate and conflate, as tags of zguard::limits<...>.
//
// Each tag fills its own limit slot (limits.hpp accepts exactly these
// tags), and each number has a lower and an upper bound (docs/bounds.md).
// A tag that is absent is not "libzmq's default": zguard applies its own
// default below, reads it back at every bind and connect like a declared
// value, and prints it in the profile marked "(default)".
#pragma once

#include <cstdint>
#include <type_traits>

#include <zguard/transport.hpp>

namespace zguard {
inline namespace v0 {

namespace limit_slot {
struct heartbeat {};
struct reconnect {};
struct tcp_keepalive {};
struct connect_timeout {};
struct immediate {};
struct conflate {};
}  // namespace limit_slot

//   heartbeat<IvlMs, TimeoutMs, TtlMs>   100 .. 300'000 / 100 .. 600'000 /
//                                        100 .. 600'000 ms, TTL a multiple
//                                        of 100 and > IvlMs
//   reconnect<IvlMs, MaxMs>              10 .. 60'000 / IvlMs .. 600'000 ms
//   tcp_keepalive<IdleS, IntervalS, Count>  1 .. 7'200 s / 1 .. 600 s / 1 .. 100
//   connect_timeout_ms<Ms>               1 .. 120'000 ms
namespace bounds {
inline constexpr int min_heartbeat_ms = 100;
inline constexpr int max_heartbeat_ivl_ms = 300'000;
inline constexpr int max_heartbeat_timeout_ms = 600'000;
inline constexpr int min_reconnect_ivl_ms = 10;
inline constexpr int max_reconnect_ivl_ms = 60'000;
inline constexpr int max_reconnect_ivl_max_ms = 600'000;
inline constexpr int max_keepalive_idle_s = 7'200;
inline constexpr int max_keepalive_interval_s = 600;
inline constexpr int max_keepalive_count = 100;
inline constexpr int max_connect_timeout_ms = 120'000;
}  // namespace bounds

// ZMTP heartbeats (ZMQ_HEARTBEAT_IVL, _TIMEOUT, _TTL) on tcp and ipc: a
// PING every IvlMs; a connection that brings nothing for TimeoutMs after a
// PING is closed (peer.disconnected), so a dead or hung peer is noticed
// and its queue freed. TtlMs travels in the PING: the peer closes the
// connection when it hears nothing from us for that long. libzmq keeps the
// TTL in deciseconds, so it must be a multiple of 100 to read back as
// declared.
template <int IvlMs, int TimeoutMs, int TtlMs>
struct heartbeat {
  static_assert(IvlMs >= bounds::min_heartbeat_ms && IvlMs <= bounds::max_heartbeat_ivl_ms,
                "zguard::heartbeat<IvlMs, TimeoutMs, TtlMs>: IvlMs must be >= 100 (0 turns heartbeats off) and "
                "<= 300000: range 100..300000 ms");
  static_assert(TimeoutMs >= bounds::min_heartbeat_ms && TimeoutMs <= bounds::max_heartbeat_timeout_ms,
                "zguard::heartbeat<IvlMs, TimeoutMs, TtlMs>: TimeoutMs must be >= 100 and <= 600000 (a dead peer "
                "holds its connection that long): range 100..600000 ms");
  static_assert(TtlMs >= bounds::min_heartbeat_ms && TtlMs <= bounds::max_heartbeat_timeout_ms && TtlMs % 100 == 0,
                "zguard::heartbeat<IvlMs, TimeoutMs, TtlMs>: TtlMs must be a multiple of 100 (libzmq keeps it in "
                "deciseconds) in range 100..600000 ms");
  static_assert(TtlMs > IvlMs,
                "zguard::heartbeat<IvlMs, TimeoutMs, TtlMs>: TtlMs must be > IvlMs: the peer closes the connection "
                "after TtlMs without traffic, and an idle socket sends only one PING every IvlMs");
  using limit = limit_slot::heartbeat;
  static constexpr int interval_ms = IvlMs;
  static constexpr int timeout_ms = TimeoutMs;
  static constexpr int ttl_ms = TtlMs;
};

// ZMQ_RECONNECT_IVL / ZMQ_RECONNECT_IVL_MAX on tcp and ipc: the first retry
// after IvlMs, each failed one doubling the wait up to MaxMs (MaxMs ==
// IvlMs: no back-off), plus a random jitter below IvlMs. 0 would retry in
// a busy loop (and libzmq takes the jitter modulo it), -1 never.
template <int IvlMs, int MaxMs>
struct reconnect {
  static_assert(IvlMs >= bounds::min_reconnect_ivl_ms && IvlMs <= bounds::max_reconnect_ivl_ms,
                "zguard::reconnect<IvlMs, MaxMs>: IvlMs must be >= 10 (0 retries in a busy loop, -1 never "
                "reconnects) and <= 60000: range 10..60000 ms");
  static_assert(MaxMs >= IvlMs && MaxMs <= bounds::max_reconnect_ivl_max_ms,
                "zguard::reconnect<IvlMs, MaxMs>: MaxMs must be >= IvlMs (MaxMs == IvlMs: no back-off) and "
                "<= 600000: range IvlMs..600000 ms");
  using limit = limit_slot::reconnect;
  static constexpr int interval_ms = IvlMs;
  static constexpr int max_ms = MaxMs;
};

// TCP keepalive (ZMQ_TCP_KEEPALIVE = 1, _IDLE, _INTVL, _CNT), tcp only: the
// kernel probes an idle connection after IdleS seconds, every IntervalS,
// and drops it after Count unanswered probes.
template <int IdleS, int IntervalS, int Count>
struct tcp_keepalive {
  static_assert(IdleS >= 1 && IdleS <= bounds::max_keepalive_idle_s,
                "zguard::tcp_keepalive<IdleS, IntervalS, Count>: IdleS must be >= 1 and <= 7200 (two hours, "
                "the usual system default): range 1..7200 s");
  static_assert(IntervalS >= 1 && IntervalS <= bounds::max_keepalive_interval_s,
                "zguard::tcp_keepalive<IdleS, IntervalS, Count>: IntervalS must be >= 1 and <= 600: range 1..600 s");
  static_assert(Count >= 1 && Count <= bounds::max_keepalive_count,
                "zguard::tcp_keepalive<IdleS, IntervalS, Count>: Count must be >= 1 and <= 100: range 1..100 probes");
  using limit = limit_slot::tcp_keepalive;
  static constexpr int idle_s = IdleS;
  static constexpr int interval_s = IntervalS;
  static constexpr int count = Count;
};

// ZMQ_CONNECT_TIMEOUT, tcp only: a connect that has not completed after Ms
// is abandoned and retried (reconnect<...>). 0 would leave it to the
// system (about two minutes of SYN retries on Linux).
template <int Ms>
struct connect_timeout_ms {
  static_assert(Ms >= 1 && Ms <= bounds::max_connect_timeout_ms,
                "zguard::connect_timeout_ms<Ms>: Ms must be >= 1 (0 leaves it to the system's SYN retries) and "
                "<= 120000: range 1..120000 ms");
  using limit = limit_slot::connect_timeout;
  static constexpr int value = Ms;
};

// ZMQ_IMMEDIATE: queue messages only to connections whose handshake has
// completed (a connecting socket's send then waits, bounded by
// send_timeout_ms, instead of queueing for a peer not there yet).
struct immediate {
  using limit = limit_slot::immediate;
};

// ZMQ_CONFLATE: keep only the latest message in each queue, dropping older
// ones. libzmq's conflate does not support multipart messages, so only a
// typed stream<S> PUSH/PULL (one frame a message) may declare it
// (socket/rules.hpp). On a signed stream a dropped message is a sequence
// gap, which the verifier accepts (docs/architecture.md, "Connections").
struct conflate {
  using limit = limit_slot::conflate;
};

// What a socket gets when a tag is absent (docs/architecture.md).
namespace connection_defaults {
// A dead peer is noticed within 20 s; one 7-byte PING per 5 s per connection.
using heartbeat = zguard::heartbeat<5'000, 15'000, 15'000>;
// First retry after 100 ms (libzmq's), doubling to 2 s: a restarted server
// is found again within about 2 s and not hammered while it is down.
using reconnect = zguard::reconnect<100, 2'000>;
// A blackholed address is retried after 5 s instead of about 2 minutes.
using connect_timeout = connect_timeout_ms<5'000>;
// TCP keepalive off: the heartbeats detect dead peers above TCP, through
// proxies and NAT alike.
}  // namespace connection_defaults

namespace detail {
struct keepalive_off {
  static constexpr int idle_s = -1;
  static constexpr int interval_s = -1;
  static constexpr int count = -1;
};

// A socket's connection settings: the declared tag or the default, for
// the transports where each applies. L is a zguard::limits<...>.
template <class L, class T>
struct connection_settings {
  // ZMTP connections that can die and be re-made: heartbeats, reconnect.
  static constexpr bool has_connections = std::is_same_v<T, tcp> || std::is_same_v<T, ipc>;
  static constexpr bool is_tcp = std::is_same_v<T, tcp>;

  template <class Slot>
  static constexpr bool declared = L::template has<Slot>;
  template <class Slot, class Default>
  using pick = std::conditional_t<L::template has<Slot>, typename L::template get<Slot>, Default>;

  using heartbeat = pick<limit_slot::heartbeat, connection_defaults::heartbeat>;
  using reconnect = pick<limit_slot::reconnect, connection_defaults::reconnect>;
  using connect_timeout = pick<limit_slot::connect_timeout, connection_defaults::connect_timeout>;
  using keepalive = pick<limit_slot::tcp_keepalive, keepalive_off>;
  static constexpr bool keepalive_on = declared<limit_slot::tcp_keepalive>;
  static constexpr bool immediate = declared<limit_slot::immediate>;
  static constexpr bool conflate = declared<limit_slot::conflate>;
};
}  // namespace detail

}  // namespace v0
}  // namespace zguard
