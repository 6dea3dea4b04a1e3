// zguard/metrics_http.hpp - a context's metrics served over HTTP, for a
// Prometheus server that scrapes its targets (GET /metrics), by CivetWeb
// (Debian's libcivetweb-dev).
//
//   zguard::metrics_http_server http(ctx.metrics(), "127.0.0.1:9464");
//
// Apart from zguard.hpp (like config.hpp and asio.hpp): a program that
// includes it links CivetWeb (-lcivetweb; on Debian 12 find it with
// find_library: the package's CMake file names a binary it does not ship).
// It serves /metrics and nothing else: no files (no document root), no
// other path (404), no method but GET and HEAD (405), one request a
// connection. The figures name the sockets and proxies of a service and
// what they refused: keep the address on loopback or a monitoring network.
#pragma once

#include <civetweb.h>

#include <cstring>
#include <mutex>
#include <stdexcept>
#include <string>

#include <zguard/metrics.hpp>

namespace zguard {
inline namespace v0 {

class metrics_http_server {
 public:
  // Listens on `address` (CivetWeb's listening_ports: "127.0.0.1:9464",
  // "[::1]:9464"); throws std::runtime_error when it cannot. The registry
  // must outlive the server.
  explicit metrics_http_server(metrics_registry const& registry, std::string const& address = "127.0.0.1:9464")
      : registry_(registry) {
    static std::once_flag library;
    std::call_once(library, [] { mg_init_library(0); });
    char const* options[] = {"listening_ports", address.c_str(), "num_threads", "2", "request_timeout_ms", "5000",
                             "enable_keep_alive", "no", nullptr};
    mg_callbacks callbacks{};
    ctx_ = mg_start(&callbacks, nullptr, options);
    if (!ctx_) throw std::runtime_error("zguard::metrics_http_server: cannot listen on " + address);
    // CivetWeb takes the first handler whose pattern matches: /metrics
    // exactly, then anything else.
    mg_set_request_handler(ctx_, "/metrics$", &serve, this);
    mg_set_request_handler(ctx_, "/", &refuse, nullptr);
  }
  metrics_http_server(metrics_http_server const&) = delete;
  metrics_http_server& operator=(metrics_http_server const&) = delete;
  // Stops: waits for the requests being served.
  ~metrics_http_server() { mg_stop(ctx_); }

  // The port it listens on (the first).
  int port() const {
    mg_server_port ports[4]{};
    return mg_get_server_ports(ctx_, 4, ports) > 0 ? ports[0].port : 0;
  }

 private:
  static int serve(mg_connection* conn, void* self) {
    auto const* request = mg_get_request_info(conn);
    bool const head = std::strcmp(request->request_method, "HEAD") == 0;
    if (!head && std::strcmp(request->request_method, "GET") != 0) {
      mg_send_http_error(conn, 405, "%s", "GET /metrics only");
      return 405;
    }
    auto const body = static_cast<metrics_http_server*>(self)->registry_.prometheus_text();
    mg_printf(conn,
              "HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\n"
              "Content-Length: %zu\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n",
              body.size());
    if (!head) mg_write(conn, body.data(), body.size());
    return 200;
  }
  static int refuse(mg_connection* conn, void*) {
    mg_send_http_error(conn, 404, "%s", "not found: this server has /metrics only");
    return 404;
  }

  metrics_registry const& registry_;
  mg_context* ctx_ = nullptr;
};

}  // namespace v0
}  // namespace zguard
