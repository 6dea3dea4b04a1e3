// Metrics (metrics.hpp) over real sockets: what a CURVE REQ/REP pair, a
// rate-limited streamer proxy and a refusing receiver count; the textfile
// written atomically and read by Debian's prometheus-node-exporter over
// HTTP; `zguard health` on fresh, stale and foreign files; series a peer
// cannot multiply.
#include "schemas.hpp"
#include "support.hpp"
#include "support/exposition.hpp"
#include "support/streamer.hpp"

#include <zguard/metrics_http.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sstream>

extern char** environ;

using namespace zguard_test;
using namespace std::chrono_literals;

namespace {

double figure(zg::context<test_domain>& ctx, std::string_view name,
              std::initializer_list<std::pair<std::string_view, std::string_view>> labels) {
  return ctx.metrics().value(name, labels);
}

// A raw HTTP request to 127.0.0.1:port; the whole response (empty when
// nothing answered).
std::string http_request(int port, std::string const& request) {
  int const fd = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  timeval tv{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(std::uint16_t(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string out;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) {
    if (::send(fd, request.data(), request.size(), MSG_NOSIGNAL) == ssize_t(request.size())) {
      char buf[8192];
      for (ssize_t got; (got = ::recv(fd, buf, sizeof buf, 0)) > 0;) out.append(buf, std::size_t(got));
    }
  }
  ::close(fd);
  return out;
}

// The status code of an HTTP response ("404"), empty when there is none.
std::string status_of(std::string const& response) {
  auto const space = response.find(' ');
  return space == std::string::npos ? std::string() : response.substr(space + 1, 3);
}

// GET http://127.0.0.1:port/path; the body, or empty when nothing answered.
std::string http_get(int port, std::string const& path) {
  auto const out = http_request(port, "GET " + path + " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n");
  auto const body = out.find("\r\n\r\n");
  return body == std::string::npos ? std::string() : out.substr(body + 4);
}

// A loopback port nothing listens on now.
int free_port() {
  int const fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  socklen_t len = sizeof a;
  REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0);
  ::close(fd);
  return ntohs(a.sin_port);
}

// Debian's prometheus-node-exporter, its textfile collector only, on a
// loopback port; stopped at scope exit.
struct node_exporter {
  pid_t pid = -1;
  int port = free_port();
  explicit node_exporter(std::filesystem::path const& textfile_dir) {
    std::vector<std::string> args{ZGUARD_NODE_EXPORTER, "--collector.disable-defaults", "--collector.textfile",
                                  "--collector.textfile.directory=" + textfile_dir.string(),
                                  "--web.listen-address=127.0.0.1:" + std::to_string(port), "--log.level=warn"};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    REQUIRE(::posix_spawn(&pid, argv[0], nullptr, nullptr, argv.data(), environ) == 0);
  }
  ~node_exporter() {
    if (pid <= 0) return;
    ::kill(pid, SIGTERM);
    int status = 0;
    ::waitpid(pid, &status, 0);
  }
  // The exporter's /metrics once it answers (10 s at most).
  std::string scrape() {
    std::string body;
    eventually([&] { return !(body = http_get(port, "/metrics")).empty(); }, 10s);
    return body;
  }
};

// A context whose authenticator allows the client's key, its events captured.
struct allowed_pair {
  captured_events seen;
  curve_pair cp{seen.sink()};
  allowed_pair() { cp.auth.allow(cp.client_keys.public_part()); }
};

using pull_limits = zg::limits<zg::send_hwm<1000>, zg::recv_hwm<1000>, zg::block_when_full, zg::max_message_size<4096>,
                               zg::linger_ms<0>, zg::send_timeout_ms<1000>, zg::recv_timeout_ms<200>,
                               zg::handshake_timeout_ms<2000>, zg::per_peer_rate<5, 5>>;

}  // namespace

TEST_CASE_FIXTURE(allowed_pair, "metrics: a CURVE REQ/REP pair counts messages, bytes, handshakes, open connections and call durations") {
  auto& [ctx, auth, server_keys, client_keys] = cp;
  INFO(seen);
  serving<curve_rep> svc(ctx, auth, server_keys,
                         [](zmq::message_t const& req, zg::peer_info const&) { return "re:" + req.to_string(); });
  auto const client_label = curve_req::label(), server_label = curve_rep::label();
  {
    curve_req client(ctx, client_keys, server_keys.public_part());
    client.connect(svc.endpoint);
    for (int i = 0; i < 5; ++i) REQUIRE(client.call("hello", 3));
    CHECK(figure(ctx, "zguard_messages_sent_total", {{"socket", client_label}}) == 5);
    CHECK(figure(ctx, "zguard_sent_bytes_total", {{"socket", client_label}}) == 25);
    CHECK(figure(ctx, "zguard_messages_received_total", {{"socket", client_label}}) == 5);
    CHECK(figure(ctx, "zguard_received_bytes_total", {{"socket", client_label}}) == 40);
    CHECK(figure(ctx, "zguard_messages_received_total", {{"socket", server_label}}) == 5);
    CHECK(eventually([&] { return figure(ctx, "zguard_messages_sent_total", {{"socket", server_label}}) == 5; }));
    CHECK(figure(ctx, "zguard_calls_total", {{"socket", client_label}, {"status", "replied"}}) == 5);
    CHECK(figure(ctx, "zguard_calls_total", {{"socket", client_label}, {"status", "timed_out"}}) == 0);
    CHECK(figure(ctx, "zguard_call_duration_seconds_count", {{"socket", client_label}}) == 5);
    CHECK(figure(ctx, "zguard_call_duration_seconds_bucket", {{"socket", client_label}, {"le", "+Inf"}}) == 5);
    CHECK(figure(ctx, "zguard_call_duration_seconds_sum", {{"socket", client_label}}) > 0);
    CHECK(eventually([&] {
      return figure(ctx, "zguard_connections_open", {{"socket", server_label}}) == 1 &&
             figure(ctx, "zguard_connections_open", {{"socket", client_label}}) == 1 &&
             figure(ctx, "zguard_sessions_open", {{"socket", server_label}}) == 1 &&
             figure(ctx, "zguard_sessions_open", {{"socket", client_label}}) == 1;
    }));
    CHECK(eventually([&] {
      return figure(ctx, "zguard_handshakes_total", {{"socket", server_label}, {"result", "accepted"}}) == 1;
    }));
    CHECK(figure(ctx, "zguard_zap_decisions_total", {{"result", "allow"}}) == 1);
  }
  // The client closed: its totals stay (counters never go down), its connection is gone.
  CHECK(figure(ctx, "zguard_messages_sent_total", {{"socket", client_label}}) == 5);
  CHECK(figure(ctx, "zguard_calls_total", {{"socket", client_label}, {"status", "replied"}}) == 5);
  CHECK(figure(ctx, "zguard_call_duration_seconds_count", {{"socket", client_label}}) == 5);
  CHECK(eventually([&] {
    return figure(ctx, "zguard_connections_open", {{"socket", server_label}}) == 0 &&
           figure(ctx, "zguard_sessions_open", {{"socket", server_label}}) == 0;
  }));
  CHECK(figure(ctx, "zguard_connections_open", {{"socket", client_label}}) == 0);
  CHECK(figure(ctx, "zguard_sessions_open", {{"socket", client_label}}) == 0);
  // A key the service does not know: refused at its handshake, counted as such.
  curve_req stranger(ctx, zg::keypair::generate(), server_keys.public_part());
  stranger.connect(svc.endpoint);
  CHECK_FALSE(stranger.call("let me in", 1));
  CHECK(eventually([&] {
    return figure(ctx, "zguard_handshakes_total", {{"socket", server_label}, {"result", "refused"}}) >= 1;
  }));
  CHECK(figure(ctx, "zguard_zap_decisions_total", {{"result", "deny"}}) >= 1);
  // Its connection never became a session, so the service counts none open.
  CHECK(eventually([&] { return figure(ctx, "zguard_sessions_open", {{"socket", server_label}}) == 0; }));
  CHECK(figure(ctx, "zguard_calls_total", {{"socket", client_label}, {"status", "timed_out"}}) == 1);
  CHECK(figure(ctx, "zguard_call_duration_seconds_count", {{"socket", client_label}}) == 5);  // answered calls only
  check_exposition(ctx.metrics().prometheus_text());
}

TEST_CASE_FIXTURE(allowed_pair, "metrics: a rate-limited streamer proxy counts what it passed and dropped, a receiver its refusals by reason") {
  auto& [ctx, auth, server_keys, client_keys] = cp;
  INFO(seen);
  using front_t = zg::socket<test_domain, zg::tcp, zg::pull, zg::curve_server, pull_limits>;
  using back_t = zg::socket<test_domain, zg::inproc, zg::push, zg::null_mechanism, inproc_limits>;
  using worker_t = zg::socket<test_domain, zg::inproc, zg::pull, zg::null_mechanism, inproc_limits, zg::stream<tick>>;
  using pusher_t = zg::socket<test_domain, zg::tcp, zg::push, zg::curve_client, rr_limits, zg::stream<tick>>;
  streamer_scene<front_t, back_t, worker_t> scene(ctx, auth, server_keys, "inproc://metrics-streamer");
  auto& [front, back, in, worker, streamer] = scene;
  pusher_t pusher(ctx, client_keys, server_keys.public_part());
  pusher.connect(in);
  for (std::uint32_t i = 1; i <= 40; ++i) REQUIRE(pusher.send(tick{"T", 1, i}));
  std::size_t got = 0;
  for (auto const deadline = std::chrono::steady_clock::now() + 5s; std::chrono::steady_clock::now() < deadline;)
    if (worker.receive()) ++got;
    else if (got + seen.named("rate.limited").size() == 40) break;
  auto const limited = seen.named("rate.limited").size();
  REQUIRE(limited >= 1);  // a bucket of 5 and 5/s cannot pass 40 at once
  CHECK(got + limited == 40);
  auto const proxy_label = streamer.label();
  CHECK(figure(ctx, "zguard_proxy_messages_total", {{"proxy", proxy_label}, {"direction", "front_to_back"}}) == got);
  CHECK(figure(ctx, "zguard_proxy_dropped_total", {{"proxy", proxy_label}, {"direction", "front_to_back"}}) == limited);
  CHECK(figure(ctx, "zguard_proxy_messages_total", {{"proxy", proxy_label}, {"direction", "back_to_front"}}) == 0);
  CHECK(figure(ctx, "zguard_proxy_bytes_total", {{"proxy", proxy_label}, {"direction", "front_to_back"}}) ==
        got * zg::encode(tick{"T", 1, 1}).size());
  CHECK(figure(ctx, "zguard_rate_limited_total", {{"socket", proxy_label}}) == limited);
  CHECK(figure(ctx, "zguard_messages_received_total", {{"socket", worker_t::label()}}) == got);
  CHECK(figure(ctx, "zguard_messages_sent_total", {{"socket", pusher_t::label()}}) == 40);

  // A typed receiver refuses what does not decode: counted by reason, as logged.
  using raw_push = zg::socket<test_domain, zg::inproc, zg::push, zg::null_mechanism, inproc_limits>;
  raw_push garbage(ctx);
  garbage.connect(zg::endpoint<zg::inproc, test_domain>("inproc://metrics-streamer-typed"));
  using typed_pull = zg::socket<test_domain, zg::inproc, zg::pull, zg::null_mechanism,
                                zg::limits<zg::send_hwm<100>, zg::recv_hwm<100>, zg::block_when_full, zg::linger_ms<0>,
                                           zg::send_timeout_ms<1000>, zg::recv_timeout_ms<100>>,
                                zg::stream<tick>>;
  typed_pull receiver(ctx);
  (void)receiver.bind(zg::endpoint<zg::inproc, test_domain>("inproc://metrics-streamer-typed"));
  REQUIRE(garbage.send(std::string_view("not a schema message")));
  REQUIRE(garbage.send(std::string_view("")));
  CHECK(eventually([&] {
    (void)receiver.receive();
    return seen.named("message.refused").size() == 2;
  }));
  std::map<std::string, double> by_reason;
  for (auto const& e : seen.named("message.refused")) by_reason[std::string(e.field("reason"))] += 1;
  for (auto const& [reason, n] : by_reason)
    CHECK(figure(ctx, "zguard_refusals_total", {{"socket", typed_pull::label()}, {"reason", reason}}) == n);
  CHECK(figure(ctx, "zguard_refusals_total", {{"socket", typed_pull::label()}}) == 2);
  check_exposition(ctx.metrics().prometheus_text());
}

TEST_CASE_FIXTURE(allowed_pair, "metrics: the textfile is written atomically, read by prometheus-node-exporter, and judged by zguard health") {
  auto& [ctx, auth, server_keys, client_keys] = cp;
  serving<curve_rep> svc(ctx, auth, server_keys,
                         [](zmq::message_t const& req, zg::peer_info const&) { return req.to_string(); });
  curve_req client(ctx, client_keys, server_keys.public_part());
  client.connect(svc.endpoint);
  for (int i = 0; i < 3; ++i) REQUIRE(client.call("ping", 3));

  temp_dir dir;
  auto const file = dir.path / "zguard.prom";
  // Links planted where temporary files might go are not followed, and no
  // temporary file stays behind.
  auto const victim = write_file(dir.path / "victim", "untouched");
  std::filesystem::create_symlink(victim, dir.path / "zguard.prom.tmp");
  std::filesystem::create_symlink(victim, dir.path / ("zguard.prom.tmp." + std::to_string(::getpid()) + ".1"));
  ctx.metrics().write_textfile(file.string());
  ctx.metrics().write_textfile(file.string());
  CHECK(read_file(victim) == "untouched");
  std::size_t entries = 0;
  for ([[maybe_unused]] auto const& e : std::filesystem::directory_iterator(dir.path)) ++entries;
  CHECK(entries == 4);  // the victim, the two links, the file
  CHECK(mode_of(file) == 0644);
  auto const text = read_file(file);
  check_exposition(text);
  CHECK(text.find("zguard_up{domain=\"test\"} 1\n") != std::string::npos);
  CHECK_THROWS_WITH_AS(ctx.metrics().write_textfile((dir.path / "missing" / "x.prom").string()),
                       contains("missing/x.prom"), std::runtime_error);

  // The exporter reads the file as a scraper would, and finds nothing wrong in it.
  node_exporter exporter(dir.path);
  auto const scraped = exporter.scrape();
  INFO(scraped);
  REQUIRE_FALSE(scraped.empty());
  CHECK(scraped.find("node_textfile_scrape_error 0") != std::string::npos);
  CHECK(scraped.find("zguard_messages_sent_total{domain=\"test\",socket=\"" + curve_req::label() + "\"} 3") !=
        std::string::npos);
  CHECK(scraped.find("zguard_calls_total{domain=\"test\",socket=\"" + curve_req::label() + "\",status=\"replied\"} 3") !=
        std::string::npos);
  CHECK(scraped.find("zguard_call_duration_seconds_count{domain=\"test\",socket=\"" + curve_req::label() + "\"} 3") !=
        std::string::npos);
  CHECK(scraped.find("zguard_up{domain=\"test\"} 1") != std::string::npos);

  // zguard health: fresh and up; then stale, foreign, missing.
  std::string const tool = ZGUARD_TOOL;
  auto [ok, ok_out] = run_command(tool + " health " + file.string() + " --max-age 30");
  CHECK(ok == 0);
  CHECK(ok_out.find("healthy: up") == 0);
  auto const stale = with_sample_value(text, "zguard_metrics_written_timestamp_seconds", "1000000000.000");
  write_file(dir.path / "stale.prom", stale);
  auto [old, old_out] = run_command(tool + " health " + (dir.path / "stale.prom").string() + " --max-age 30");
  CHECK(old == 1);
  CHECK(old_out.find("stopped writing them") != std::string::npos);
  write_file(dir.path / "other.prom", "node_load1 0.5\n");
  CHECK(run_command(tool + " health " + (dir.path / "other.prom").string()).first == 1);
  CHECK(run_command(tool + " health " + (dir.path / "none.prom").string()).first == 1);
  CHECK(run_command(tool + " health " + file.string() + " --max-age -3 2>/dev/null").first == 2);
}

TEST_CASE("metrics: a peer cannot multiply the event series, and label values cannot break a line") {
  zg::event_log log([](zg::security_event const&) {});
  for (int i = 0; i < 3000; ++i)
    log.emit("message.refused", zg::severity::info, {{"socket", "S"}, {"reason", "r" + std::to_string(i)}});
  log.emit("zap.deny", zg::severity::info, {{"reason", "anything a peer sent"}});
  auto const series = log.series_counters();
  CHECK(series.size() <= zg::event_log::max_event_series + 1);
  std::uint64_t total = 0;
  for (auto const& [s, n] : series) {
    CHECK(s.socket == "S");  // the authenticator's events are counted by name only
    total += n;
  }
  CHECK(total == 3000);
  CHECK(log.count("zap.deny") == 1);

  zg::metrics_registry registry("quote\"back\\slash\nnewline\x01", log);
  auto const text = registry.prometheus_text();
  check_exposition(text);
  CHECK(text.find("domain=\"quote\\\"back\\\\slash\\nnewline?\"") != std::string::npos);
}

TEST_CASE_FIXTURE(allowed_pair, "metrics: served over HTTP at /metrics only, as a Prometheus server scrapes them") {
  auto& [ctx, auth, server_keys, client_keys] = cp;
  serving<curve_rep> svc(ctx, auth, server_keys,
                         [](zmq::message_t const& req, zg::peer_info const&) { return req.to_string(); });
  curve_req client(ctx, client_keys, server_keys.public_part());
  client.connect(svc.endpoint);
  for (int i = 0; i < 2; ++i) REQUIRE(client.call("ping", 3));
  zg::metrics_http_server http(ctx.metrics(), "127.0.0.1:" + std::to_string(free_port()));
  REQUIRE(http.port() > 0);
  auto const response = http_request(http.port(), "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
  INFO(response);
  CHECK(response.starts_with("HTTP/1.1 200"));
  CHECK(response.find("Content-Type: text/plain; version=0.0.4") != std::string::npos);
  auto const body = http_get(http.port(), "/metrics");
  check_exposition(body);
  CHECK(body.find("zguard_messages_sent_total{domain=\"test\",socket=\"" + curve_req::label() + "\"} 2") !=
        std::string::npos);
  // Nothing else: no other path, no files, no other method.
  for (auto const* path : {"/", "/metrics/", "/metricsx", "/etc/passwd", "/index.html", "/metrics/../../etc/passwd"})
    CHECK(status_of(http_request(http.port(), std::string("GET ") + path + " HTTP/1.0\r\n\r\n")) == "404");
  CHECK(status_of(http_request(http.port(), "POST /metrics HTTP/1.0\r\nContent-Length: 0\r\n\r\n")) == "405");
  auto const head = http_request(http.port(), "HEAD /metrics HTTP/1.0\r\n\r\n");
  CHECK(status_of(head) == "200");
  CHECK(head.find("zguard_up") == std::string::npos);  // headers only
  // A port taken is refused with the address named.
  CHECK_THROWS_WITH_AS(zg::metrics_http_server(ctx.metrics(), "127.0.0.1:" + std::to_string(http.port())),
                       contains("cannot listen on 127.0.0.1:"), std::runtime_error);
}
