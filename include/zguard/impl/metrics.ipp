// zguard/impl/metrics.ipp - the definitions of zguard/metrics.hpp that
// ZGUARD_DECL declares: inline in every translation unit, or compiled once
// with ZGUARD_SEPARATE_COMPILATION (zguard/detail/compiled.hpp).
#pragma once

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>

#include <zguard/call_status.hpp>
#include <zguard/detail/monitor.hpp>
#include <zguard/metrics.hpp>

namespace zguard {
inline namespace v0 {
namespace detail {

inline constexpr auto relaxed = std::memory_order_relaxed;
static_assert(meter::call_statuses == std::size_t(call_status::too_many_in_flight) + 1,
              "a call count for every call_status");

// A label value as the exposition format writes it: backslash, quote and
// newline escaped; any other byte outside printable ASCII as '?', so the
// line stays valid UTF-8 whatever a label holds.
inline void append_label_value(std::string& out, std::string_view v) {
  for (char c : v) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f) out += '?';
    else out += c;
  }
}

inline void append_number(std::string& out, double v) {
  char buf[32];
  // Counts are integers: written whole, so a large one keeps every digit.
  if (v >= 0 && v < 1e15 && v == static_cast<double>(static_cast<std::uint64_t>(v)))
    std::snprintf(buf, sizeof buf, "%llu", static_cast<unsigned long long>(v));
  else
    std::snprintf(buf, sizeof buf, "%.17g", v);
  out += buf;
}

inline std::string seconds_text(std::uint64_t us) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", double(us) / 1e6);
  return buf;
}

}  // namespace detail

ZGUARD_DECL void metrics_registry::totals::add(detail::meter const& m, detail::socket_monitor const* monitor) {
  using detail::relaxed;
  in_messages += m.in.messages.load(relaxed);
  in_bytes += m.in.bytes.load(relaxed);
  out_messages += m.out.messages.load(relaxed);
  out_bytes += m.out.bytes.load(relaxed);
  dropped_in += m.dropped_in.load(relaxed);
  dropped_out += m.dropped_out.load(relaxed);
  for (std::size_t i = 0; i < calls.size(); ++i) calls[i] += m.calls[i].load(relaxed);
  for (std::size_t i = 0; i < buckets.size(); ++i) buckets[i] += m.call_duration.buckets[i].load(relaxed);
  call_count += m.call_duration.count.load(relaxed);
  call_sum_us += m.call_duration.sum_us.load(relaxed);
  if (monitor) {
    has_monitor = true;
    handshakes_accepted += monitor->handshakes_succeeded();
    handshakes_refused += monitor->handshake_failures();
    connections_open += monitor->connections_open();
    sessions_up += monitor->sessions_up();
  }
}

ZGUARD_DECL void metrics_registry::add(registration& r, part kind, std::string label, detail::meter const& m,
                                       detail::socket_monitor const* monitor) {
  r.reset();
  std::lock_guard lock(mu_);
  auto const id = next_id_++;
  live_.emplace(id, entry{kind, std::move(label), &m, monitor});
  r.registry_ = this;
  r.id_ = id;
}

ZGUARD_DECL void metrics_registry::remove(std::uint64_t id) {
  std::lock_guard lock(mu_);
  auto it = live_.find(id);
  if (it == live_.end()) return;
  auto& t = retired_[{it->second.kind, it->second.label}];
  t.add(*it->second.meter, it->second.monitor);
  t.connections_open = t.sessions_up = 0;  // a closed socket holds no connection
  live_.erase(it);
}

ZGUARD_DECL std::map<metrics_registry::series_key, metrics_registry::totals> metrics_registry::collect() const {
  std::lock_guard lock(mu_);
  auto all = retired_;
  for (auto const& [id, e] : live_) all[{e.kind, e.label}].add(*e.meter, e.monitor);
  return all;
}

ZGUARD_DECL std::vector<metric_family> metrics_registry::families() const {
  auto const all = collect();
  auto const events = log_->series_counters();
  auto const names = log_->counters();
  std::vector<metric_family> out;
  auto family = [&](std::string name, std::string help, std::string type) -> metric_family& {
    out.push_back({std::move(name), std::move(help), std::move(type), {}});
    return out.back();
  };
  using labels = std::vector<std::pair<std::string, std::string>>;
  auto sample = [&](metric_family& f, std::string suffix, labels l, double v) {
    l.insert(l.begin(), {"domain", domain_});
    f.samples.push_back({f.name + suffix, std::move(l), v});
  };
  auto per_part = [&](part kind, std::string name, std::string help, std::string type, auto figure) {
    auto& f = family(std::move(name), std::move(help), std::move(type));
    for (auto const& [key, t] : all)
      if (key.first == kind) figure(f, labels{{kind == part::socket ? "socket" : "proxy", key.second}}, t);
  };
  auto counter = [&](part kind, std::string name, std::string help, auto field) {
    per_part(kind, std::move(name), std::move(help), "counter",
             [&](metric_family& f, labels l, totals const& t) { sample(f, "", std::move(l), double(field(t))); });
  };

  counter(part::socket, "zguard_messages_received_total",
          "Messages a socket read off the wire (refused ones included)", [](totals const& t) { return t.in_messages; });
  counter(part::socket, "zguard_received_bytes_total", "Bytes of the messages a socket read",
          [](totals const& t) { return t.in_bytes; });
  counter(part::socket, "zguard_messages_sent_total", "Messages a socket sent", [](totals const& t) { return t.out_messages; });
  counter(part::socket, "zguard_sent_bytes_total", "Bytes of the messages a socket sent",
          [](totals const& t) { return t.out_bytes; });
  per_part(part::socket, "zguard_handshakes_total", "Security handshakes on a socket's connections (tcp, ipc), by result",
           "counter", [&](metric_family& f, labels l, totals const& t) {
             if (!t.has_monitor) return;
             auto accepted = l, refused = l;
             accepted.emplace_back("result", "accepted");
             refused.emplace_back("result", "refused");
             sample(f, "", std::move(accepted), double(t.handshakes_accepted));
             sample(f, "", std::move(refused), double(t.handshakes_refused));
           });
  per_part(part::socket, "zguard_connections_open", "A socket's connections open now (tcp, ipc), handshake done or under way",
           "gauge", [&](metric_family& f, labels l, totals const& t) {
             if (t.has_monitor) sample(f, "", std::move(l), double(t.connections_open));
           });
  per_part(part::socket, "zguard_sessions_open", "A socket's connections whose security handshake succeeded, open now (tcp, ipc)",
           "gauge", [&](metric_family& f, labels l, totals const& t) {
             if (t.has_monitor) sample(f, "", std::move(l), double(t.sessions_up));
           });
  per_part(part::socket, "zguard_calls_total", "A REQ's or a caller's calls, by how they ended (zguard::call_status)", "counter",
           [&](metric_family& f, labels l, totals const& t) {
             std::uint64_t any = 0;
             for (auto n : t.calls) any += n;
             if (!any) return;
             for (std::size_t i = 0; i < t.calls.size(); ++i) {
               auto with = l;
               with.emplace_back("status", std::string(to_string(static_cast<call_status>(i))));
               sample(f, "", std::move(with), double(t.calls[i]));
             }
           });
  per_part(part::socket, "zguard_call_duration_seconds",
           "How long answered calls took (a REQ's, a caller's), from the first send to the answer, retries included", "histogram",
           [&](metric_family& f, labels l, totals const& t) {
             if (!t.call_count) return;
             std::uint64_t cumulative = 0;
             for (std::size_t i = 0; i < t.buckets.size(); ++i) {
               cumulative += t.buckets[i];
               auto with = l;
               with.emplace_back("le", i < detail::latency_histogram::bounds_us.size()
                                           ? detail::seconds_text(detail::latency_histogram::bounds_us[i])
                                           : std::string("+Inf"));
               sample(f, "_bucket", std::move(with), double(cumulative));
             }
             sample(f, "_sum", l, double(t.call_sum_us) / 1e6);
             sample(f, "_count", std::move(l), double(t.call_count));
           });
  auto direction = [&](std::string name, std::string help, auto front_to_back, auto back_to_front) {
    per_part(part::proxy, std::move(name), std::move(help), "counter", [&](metric_family& f, labels l, totals const& t) {
      auto forward = l, backward = l;
      forward.emplace_back("direction", "front_to_back");
      backward.emplace_back("direction", "back_to_front");
      sample(f, "", std::move(forward), double(front_to_back(t)));
      sample(f, "", std::move(backward), double(back_to_front(t)));
    });
  };
  direction("zguard_proxy_messages_total", "Messages a proxy passed on", [](totals const& t) { return t.in_messages; },
            [](totals const& t) { return t.out_messages; });
  direction("zguard_proxy_bytes_total", "Bytes of the messages a proxy passed on", [](totals const& t) { return t.in_bytes; },
            [](totals const& t) { return t.out_bytes; });
  direction("zguard_proxy_dropped_total", "Messages a proxy's rules dropped (rate, permissions, ROUTER identity)",
            [](totals const& t) { return t.dropped_in; }, [](totals const& t) { return t.dropped_out; });

  // From the event log: what sockets and proxies refused, and why.
  auto from_events = [&](std::string name, std::string help, auto wanted, bool with_reason) {
    auto& f = family(std::move(name), std::move(help), "counter");
    std::map<labels, std::uint64_t> summed;
    for (auto const& [s, n] : events) {
      if (!wanted(std::string_view(s.event))) continue;
      labels l{{"socket", s.socket}};
      if (with_reason) l.emplace_back("reason", s.reason.empty() ? s.event : s.reason);
      summed[l] += n;
    }
    for (auto& [l, n] : summed) sample(f, "", l, double(n));
  };
  auto is = [](std::string_view which) { return [which](std::string_view e) { return e == which; }; };
  from_events("zguard_refusals_total",
              "Messages refused: malformed, badly signed or vouched, from a revoked peer, or an answer refused; by reason",
              [](std::string_view e) {
                return e == "message.refused" || e.starts_with("verify.") || e == "vouch.refused" ||
                       e == "reply.refused" || e == "router.identity_mismatch" || e == "session.revoked";
              },
              true);
  from_events("zguard_rate_limited_total", "Messages (a batch: one) refused for their sender's rate (rate.limited)",
              is("rate.limited"), false);
  from_events("zguard_authz_denied_total", "Actions the permissions refused (authz.denied), by reason",
              is("authz.denied"), true);
  {
    auto& f = family("zguard_events_total", "Security events a socket or proxy logged, by name and reason", "counter");
    for (auto const& [s, n] : events) sample(f, "", {{"event", s.event}, {"socket", s.socket}, {"reason", s.reason}}, double(n));
  }
  {
    auto& f = family("zguard_zap_decisions_total", "The authenticator's decisions (ZAP), by result", "counter");
    for (auto const* r : {"allow", "deny"}) {
      auto it = names.find(std::string("zap.") + r);
      sample(f, "", {{"result", r}}, double(it == names.end() ? 0 : it->second));
    }
  }
  return out;
}

ZGUARD_DECL std::string metrics_registry::prometheus_text() const {
  std::string out;
  for (auto const& f : families()) {
    if (f.samples.empty()) continue;
    out += "# HELP " + f.name + " " + f.help + ".\n";
    out += "# TYPE " + f.name + " " + f.type + "\n";
    for (auto const& s : f.samples) {
      out += s.name;
      if (!s.labels.empty()) {
        out += '{';
        for (std::size_t i = 0; i < s.labels.size(); ++i) {
          if (i) out += ',';
          out += s.labels[i].first + "=\"";
          detail::append_label_value(out, s.labels[i].second);
          out += '"';
        }
        out += '}';
      }
      out += ' ';
      detail::append_number(out, s.value);
      out += '\n';
    }
  }
  auto const now = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  out += "# HELP zguard_up Whether the process that wrote these figures was serving when it wrote them.\n";
  out += "# TYPE zguard_up gauge\nzguard_up{domain=\"";
  detail::append_label_value(out, domain_);
  out += "\"} 1\n";
  out += "# HELP zguard_metrics_written_timestamp_seconds When these figures were made (Unix time).\n";
  out += "# TYPE zguard_metrics_written_timestamp_seconds gauge\nzguard_metrics_written_timestamp_seconds{domain=\"";
  detail::append_label_value(out, domain_);
  out += "\"} ";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", now);
  out += buf;
  out += '\n';
  return out;
}

ZGUARD_DECL void metrics_registry::write_textfile(std::string const& path) const {
  auto const text = prometheus_text();
  // A name of this writer's own (process, and a count), so two writers of
  // one path never write into one file or rename the other's half-written
  // one into place.
  static std::atomic<std::uint64_t> writes{0};
  std::string temp;
  int fd = -1;
  auto fail = [&](char const* what) {
    int const err = errno;
    throw std::runtime_error("zguard metrics: cannot " + std::string(what) + " " + temp + " for " + path + ": " +
                             std::strerror(err));
  };
  // Never an existing file, never through a link (O_EXCL, O_NOFOLLOW): a
  // name taken by something else is passed over for the next.
  for (int tries = 0; tries < 16 && fd < 0; ++tries) {
    temp = path + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(++writes);
    fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0 && errno != EEXIST) break;
  }
  if (fd < 0) fail("create");
  (void)::fchmod(fd, 0644);  // readable by the exporter, whatever the umask
  std::size_t done = 0;
  while (done < text.size()) {
    auto const n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int const err = errno;
      ::close(fd);
      (void)::unlink(temp.c_str());
      errno = err;
      fail("write");
    }
    done += std::size_t(n);
  }
  if (::fsync(fd) != 0) {
    int const err = errno;
    ::close(fd);
    (void)::unlink(temp.c_str());
    errno = err;
    fail("flush");
  }
  ::close(fd);
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    int const err = errno;
    (void)::unlink(temp.c_str());
    errno = err;
    fail("rename");
  }
}

ZGUARD_DECL double metrics_registry::value(
    std::string_view name, std::initializer_list<std::pair<std::string_view, std::string_view>> labels) const {
  double sum = 0;
  for (auto const& f : families())
    for (auto const& s : f.samples) {
      if (s.name != name) continue;
      bool all = true;
      for (auto const& [k, v] : labels) all = all && s.label(k) == v;
      if (all) sum += s.value;
    }
  return sum;
}

}  // namespace v0
}  // namespace zguard
