// asio_service: zguard sockets on a Boost.Asio io_context. A typed CURVE
// REP and a typed SUB are served by one thread next to an Asio timer,
// through each socket's notification fd (never its libzmq handle). The
// requests and quotes come from peers this program starts itself, so it
// runs on its own and exits once it has served them (or at --timeout-s).
#include <zguard/zguard.hpp>

#include <boost/asio.hpp>

#include <chrono>
#include <functional>
#include <iostream>
#include <optional>
#include <stop_token>
#include <string>
#include <thread>

#include "cli.hpp"
#include "example_schemas.hpp"

namespace zg = zguard;
namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

// A short receive timeout: a refused message holds the io_context at most that long.
using loop_limits = zg::limits<zg::send_hwm<100>, zg::recv_hwm<100>, zg::block_when_full, zg::max_message_size<2048>,
                               zg::linger_ms<0>, zg::send_timeout_ms<1000>, zg::recv_timeout_ms<100>,
                               zg::handshake_timeout_ms<5000>>;
using rep_socket =
    zg::socket<example::service_domain, zg::tcp, zg::rep, zg::curve_server, loop_limits, example::service_channel>;
using req_socket =
    zg::socket<example::service_domain, zg::tcp, zg::req, zg::curve_client, loop_limits, example::service_channel>;
using quote_limits = zg::limits<zg::send_hwm<1000>, zg::recv_hwm<1000>, zg::drop_when_full, zg::linger_ms<0>,
                                zg::send_timeout_ms<100>, zg::recv_timeout_ms<100>>;
using quote_pub = zg::socket<example::feed_domain, zg::inproc, zg::pub, zg::null_mechanism, quote_limits,
                             example::eur_quotes>;
using quote_sub = zg::socket<example::feed_domain, zg::inproc, zg::sub, zg::null_mechanism, quote_limits,
                             example::eur_quotes>;

// Serves one zguard socket on an io_context. libzmq's notification fd is
// edge-triggered: it signals when the socket's state may have changed, not
// once per message. So: drain while readable(), then wait on the fd again;
// a ROUTER's monitor fd is waited on the same way. The fds are libzmq's:
// released, never closed, when the watch ends.
template <class Socket>
class zmq_watch {
 public:
  zmq_watch(asio::io_context& io, Socket& socket, std::function<void(Socket&)> on_input)
      : socket_(socket), on_input_(std::move(on_input)), fd_(io, socket.notification_fd()) {
    if (auto m = socket.monitor_notification_fd()) monitor_.emplace(io, *m);
  }
  zmq_watch(zmq_watch const&) = delete;
  zmq_watch& operator=(zmq_watch const&) = delete;
  ~zmq_watch() {
    fd_.release();
    if (monitor_) monitor_->release();
  }

  // Input may have come before the first wait: drain first.
  void start() { drain(); }

 private:
  void drain() {
    for (int n = 0; socket_.readable(); ++n) {
      if (n == 64) {  // a busy socket lets the others (and the timer) run first
        asio::post(fd_.get_executor(), [this] { drain(); });
        return;
      }
      on_input_(socket_);
    }
    wait(fd_, fd_waiting_);
    if (monitor_) wait(*monitor_, monitor_waiting_);
  }
  void wait(asio::posix::stream_descriptor& fd, bool& waiting) {
    if (waiting) return;
    waiting = true;
    fd.async_wait(asio::posix::stream_descriptor::wait_read, [this, &waiting](boost::system::error_code ec) {
      waiting = false;
      if (!ec) drain();
    });
  }

  Socket& socket_;
  std::function<void(Socket&)> on_input_;
  asio::posix::stream_descriptor fd_;
  std::optional<asio::posix::stream_descriptor> monitor_;
  bool fd_waiting_ = false, monitor_waiting_ = false;
};

}  // namespace

int main(int argc, char** argv) {
  example::cli cli("asio_service",
                   "A typed CURVE REP and a typed SUB on one Boost.Asio io_context, with an Asio timer;\n"
                   "serves the requests and quotes of peers it starts itself, then exits.",
                   {{"bind", "REP endpoint (tcp://host:port, port may be *)", "tcp://127.0.0.1:*", false},
                    {"requests", "requests the in-process client sends (1 .. 10000)", "10", false},
                    {"quotes", "quotes to receive (1 .. 10000)", "10", false},
                    {"timeout-s", "give up after this many seconds (1 .. 3600)", "20", false}});
  cli.parse(argc, argv);
  long const requests = cli.number("requests", 1, 10000), quotes = cli.number("quotes", 1, 10000),
             timeout_s = cli.number("timeout-s", 1, 3600);
  example::stop_on_signals();
  try {
    zg::context<example::service_domain> service_ctx;
    zg::authenticator<example::service_domain> auth(service_ctx);
    auto const server_keys = zg::keypair::generate(), client_keys = zg::keypair::generate();
    auth.allow(client_keys.public_part());
    rep_socket rep(service_ctx, auth, server_keys);
    auto const bound = rep.bind(cli.get("bind"));
    std::cout << "asio_service: REP listening on " << bound.address << "\n" << rep_socket::profile() << "\n"
              << quote_sub::profile() << std::endl;

    zg::context<example::feed_domain> feed_ctx;
    quote_sub sub(feed_ctx);
    auto const feed = sub.bind(zg::endpoint<zg::inproc, example::feed_domain>("inproc://asio-quotes"));

    long served = 0, received = 0, ticks = 0;
    asio::io_context io;
    zmq_watch<rep_socket> rep_watch(io, rep, [&](rep_socket& s) {
      auto got = s.receive();
      if (!got) return;
      ++served;
      (void)s.send(example::reply{got->value.sequence, std::uint64_t(served), "ok: " + got->value.text.str()});
    });
    zmq_watch<quote_sub> sub_watch(io, sub, [&](quote_sub& s) {
      if (auto q = s.receive()) ++received;
    });

    auto const deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
    asio::steady_timer timer(io);
    std::function<void()> every_100ms = [&] {
      timer.expires_after(100ms);
      timer.async_wait([&](boost::system::error_code ec) {
        if (ec) return;
        ++ticks;
        if ((served >= requests && received >= quotes) || example::stop_requested() ||
            std::chrono::steady_clock::now() >= deadline)
          io.stop();
        else every_100ms();
      });
    };

    // The peers: a CURVE client and a publisher, each in its own thread.
    long answered = 0;
    std::jthread client([&](std::stop_token stop) {
      req_socket req(service_ctx, client_keys, server_keys.public_part());
      req.connect(bound);
      for (long i = 1; i <= requests && !stop.stop_requested(); ++i) {
        auto reply = req.call(example::request{std::uint32_t(i), "hello " + std::to_string(i)});
        if (reply.ok()) ++answered;
      }
    });
    std::jthread publisher([&](std::stop_token stop) {
      quote_pub pub(feed_ctx);
      pub.connect(feed);
      for (std::uint32_t seq = 1; !stop.stop_requested(); ++seq) {  // PUB drops until subscribed: keep going
        (void)pub.send(example::quote{"EURUSD", 1'080'000 + seq, seq});
        std::this_thread::sleep_for(5ms);
      }
    });

    rep_watch.start();
    sub_watch.start();
    every_100ms();
    io.run();
    client.request_stop();
    publisher.request_stop();
    client.join();
    publisher.join();
    std::cout << "asio_service: served " << served << " requests (" << answered << " answered), received " << received
              << " quotes, " << ticks << " timer ticks; refused messages: "
              << service_ctx.events().count("message.refused") + feed_ctx.events().count("message.refused")
              << std::endl;
    return served >= requests && received >= quotes ? 0 : 3;
  } catch (std::exception const& e) {
    std::cerr << "asio_service: " << e.what() << "\n";
    return 1;
  }
}
