// zguard/metrics.hpp - what a context's sockets and proxies did, in the
// form operators scrape: the Prometheus text exposition format.
//
//   ctx.metrics().write_textfile("/var/lib/prometheus/node-exporter/app.prom");
//   loop.every(10s, [&] { ctx.metrics().write_textfile(path); });   // node_exporter's textfile collector
//   ctx.metrics().value("zguard_messages_received_total", {{"socket", S::label()}});
//
// Every socket and proxy of a context counts as it works, in relaxed
// atomics of its own: no lock and no allocation per message. The context's
// registry reads them, with the connection figures of each socket's
// monitor and the event log's counts, only when asked (a scrape). Series
// are labelled by domain and by socket type (zguard::socket<...>::label()),
// or by proxy (proxy::label()): the sockets of one type in one context are
// summed, and a socket that closed leaves its totals behind, so counters
// never go down. docs/reference.md lists every metric.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <zguard/detail/compiled.hpp>
#include <zguard/events.hpp>

namespace zguard {
inline namespace v0 {
template <class Front, class Back, class... Options>
class proxy;

namespace detail {

class socket_monitor;
template <class Tr>
class socket_handle;

// Messages and their bytes, one way.
struct traffic_count {
  std::atomic<std::uint64_t> messages{0};
  std::atomic<std::uint64_t> bytes{0};
  void count(std::size_t message_bytes) noexcept {
    messages.fetch_add(1, std::memory_order_relaxed);
    bytes.fetch_add(message_bytes, std::memory_order_relaxed);
  }
};

// Call durations in fixed buckets (their upper bounds, in microseconds:
// 100 us to 10 s), with their count and sum: a Prometheus histogram.
struct latency_histogram {
  static constexpr std::array<std::uint64_t, 16> bounds_us = {
      100, 250, 500, 1'000, 2'500, 5'000, 10'000, 25'000, 50'000, 100'000, 250'000, 500'000,
      1'000'000, 2'500'000, 5'000'000, 10'000'000};
  std::array<std::atomic<std::uint64_t>, bounds_us.size() + 1> buckets{};  // the last: above every bound
  std::atomic<std::uint64_t> count{0};
  std::atomic<std::uint64_t> sum_us{0};
  void observe(std::chrono::microseconds d) noexcept {
    auto const us = static_cast<std::uint64_t>(d.count() < 0 ? 0 : d.count());
    std::size_t i = 0;
    while (i < bounds_us.size() && us > bounds_us[i]) ++i;
    buckets[i].fetch_add(1, std::memory_order_relaxed);
    count.fetch_add(1, std::memory_order_relaxed);
    sum_us.fetch_add(us, std::memory_order_relaxed);
  }
};

// What one socket or proxy counts. A socket: `in` received (every message
// read off the wire, refused ones included), `out` sent; a proxy: `in`
// front to back, `out` back to front, and what its rules dropped each way.
struct meter {
  traffic_count in, out;
  std::atomic<std::uint64_t> dropped_in{0}, dropped_out{0};
  // A REQ's call() or a caller's calls: how each ended (by call_status, in
  // its order), and how long those that got an answer took, retries included.
  static constexpr std::size_t call_statuses = 8;  // zguard::call_status's count (checked in impl/metrics.ipp)
  std::array<std::atomic<std::uint64_t>, call_statuses> calls{};
  latency_histogram call_duration;
  // A call that began at `started` ended as `status` (a call_status's
  // number); its time is kept when an answer came.
  void count_call(std::size_t status, std::chrono::steady_clock::time_point started, bool answered) noexcept {
    calls[status < calls.size() ? status : calls.size() - 1].fetch_add(1, std::memory_order_relaxed);
    if (answered)
      call_duration.observe(
          std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started));
  }
};

}  // namespace detail

// One figure of one series: a name and its labels.
struct metric_sample {
  std::string name;
  std::vector<std::pair<std::string, std::string>> labels;
  double value = 0;
  // The value of a label, or empty when absent.
  std::string_view label(std::string_view key) const {
    for (auto const& [k, v] : labels)
      if (k == key) return v;
    return {};
  }
};

// A metric: its name, what it measures, its type (counter, gauge,
// histogram) and its samples.
struct metric_family {
  std::string name, help, type;
  std::vector<metric_sample> samples;
};

// The metrics of one context (context<D>::metrics()). Thread-safe: sockets
// come and go on their threads while another scrapes.
class metrics_registry {
 public:
  metrics_registry(std::string_view domain, event_log& log) : domain_(domain), log_(&log) {}
  metrics_registry(metrics_registry const&) = delete;
  metrics_registry& operator=(metrics_registry const&) = delete;

  // Every metric now.
  ZGUARD_DECL std::vector<metric_family> families() const;
  // The same in the Prometheus text exposition format (version 0.0.4),
  // ending with zguard_up 1 and the time it was made
  // (zguard_metrics_written_timestamp_seconds, which `zguard health` reads).
  ZGUARD_DECL std::string prometheus_text() const;
  // Writes prometheus_text() to `path` atomically: into a new file beside
  // it (path + ".tmp.PID.N", this writer's own, which node_exporter's
  // textfile collector skips: it reads *.prom), flushed to disk, then
  // renamed over `path`, so a reader sees the old figures or the new, never
  // part of them, however many write. Throws std::runtime_error naming the
  // path and the reason when it cannot.
  ZGUARD_DECL void write_textfile(std::string const& path) const;
  // The sum of the samples called `name` whose labels include all of
  // `labels` (0 when none): for programs and tests that read a figure.
  ZGUARD_DECL double value(std::string_view name,
                           std::initializer_list<std::pair<std::string_view, std::string_view>> labels = {}) const;

 private:
  template <class Tr>
  friend class detail::socket_handle;
  template <class Front, class Back, class... Options>
  friend class proxy;
  // A socket's or proxy's meter is counted until its registration ends;
  // its totals then stay in the registry.
  class registration {
   public:
    registration() = default;
    registration(registration const&) = delete;
    registration& operator=(registration const&) = delete;
    ~registration() { reset(); }
    void reset() {
      if (registry_) registry_->remove(id_);
      registry_ = nullptr;
    }

   private:
    friend class metrics_registry;
    metrics_registry* registry_ = nullptr;
    std::uint64_t id_ = 0;
  };
  enum class part { socket, proxy };
  // `monitor`: the socket's (tcp, ipc), for its connection figures; null
  // for a proxy or a socket without one.
  ZGUARD_DECL void add(registration& r, part kind, std::string label, detail::meter const& m,
                       detail::socket_monitor const* monitor);

  // Totals per series: what live meters and closed ones counted.
  struct totals {
    std::uint64_t in_messages = 0, in_bytes = 0, out_messages = 0, out_bytes = 0, dropped_in = 0, dropped_out = 0;
    std::array<std::uint64_t, detail::meter::call_statuses> calls{};
    std::array<std::uint64_t, detail::latency_histogram::bounds_us.size() + 1> buckets{};
    std::uint64_t call_count = 0, call_sum_us = 0;
    std::uint64_t handshakes_accepted = 0, handshakes_refused = 0, connections_open = 0, sessions_up = 0;
    bool has_monitor = false;
    ZGUARD_DECL void add(detail::meter const& m, detail::socket_monitor const* monitor);
  };
  struct entry {
    part kind;
    std::string label;
    detail::meter const* meter;
    detail::socket_monitor const* monitor;
  };
  using series_key = std::pair<part, std::string>;
  ZGUARD_DECL void remove(std::uint64_t id);
  ZGUARD_DECL std::map<series_key, totals> collect() const;

  std::string domain_;
  event_log* log_;
  mutable std::mutex mu_;
  std::uint64_t next_id_ = 1;
  std::map<std::uint64_t, entry> live_;
  std::map<series_key, totals> retired_;
};

}  // namespace v0
}  // namespace zguard

#if !defined(ZGUARD_SEPARATE_COMPILATION)
#include <zguard/impl/metrics.ipp>
#endif
