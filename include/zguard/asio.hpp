// zguard/asio.hpp - a zguard::caller on a Boost.Asio io_context: each call
// completed through an Asio completion token (a callback, asio::use_future,
// asio::use_awaitable), its socket watched through its notification fd and
// its deadlines and resends kept by a steady_timer.
//
//   zguard::caller<dealer_socket> calls(dealer);
//   zguard::asio_caller driver(io, calls);
//   driver.async_call(request, 2s, [](zguard::call_result<ack> r) { ... });
//   auto r = co_await driver.async_call(request, 2s, boost::asio::use_awaitable);
//
// Apart from zguard.hpp (like config.hpp): it needs Boost.Asio, which only
// Asio programs want to compile. Everything runs on the io_context's
// thread: the caller and its socket are used by no other.
#pragma once

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <memory>
#include <utility>

#include <zguard/caller.hpp>

namespace zguard {
inline namespace v0 {

template <class Caller>
class asio_caller {
 public:
  using result_type = typename Caller::result_type;

  // The caller (and its socket) must outlive this driver, and this driver
  // the io_context's runs that use it.
  asio_caller(boost::asio::io_context& io, Caller& caller)
      : io_(io), caller_(caller), fd_(io, caller.socket().notification_fd()), timer_(io) {
    watch();
  }
  asio_caller(asio_caller const&) = delete;
  asio_caller& operator=(asio_caller const&) = delete;
  // The fd is libzmq's: released, never closed. Waits still pending end
  // with operation_aborted and touch nothing.
  ~asio_caller() {
    *alive_ = false;
    timer_.cancel();
    fd_.cancel();
    fd_.release();
  }

  // caller.call(request, deadline, ...) completed through `token`, with the
  // call's call_result<Rep>: never inside this function (the completion is
  // posted to the handler's executor), once, whatever ended the call.
  template <class Req, class Token>
  auto async_call(Req const& request, std::chrono::milliseconds deadline, Token&& token) {
    return boost::asio::async_initiate<Token, void(result_type)>(
        [this, deadline](auto handler, Req const& req) {
          // Shared: the caller keeps a copyable completion, Asio handlers
          // may be move-only.
          auto h = std::make_shared<decltype(handler)>(std::move(handler));
          auto ex = boost::asio::get_associated_executor(*h, io_.get_executor());
          caller_.call(req, deadline, [h, ex](result_type r) {
            boost::asio::post(ex, [h, r = std::move(r)]() mutable { std::move (*h)(std::move(r)); });
          });
          boost::asio::post(io_, [this, alive = alive_] {
            if (*alive) drive();  // the send may have taken the fd's edge
          });
        },
        token, request);
  }

 private:
  // Answers ready and calls due, then the timer at the next due time; the
  // fd is edge-triggered, so a socket still readable is driven again.
  void drive() {
    caller_.poll_for(std::chrono::milliseconds(0));
    if (auto due = caller_.next_due()) {
      timer_.expires_at(*due);
      timer_.async_wait([this, alive = alive_](boost::system::error_code ec) {
        if (!ec && *alive) drive();
      });
    } else {
      timer_.cancel();
    }
    if (caller_.socket().readable())
      boost::asio::post(io_, [this, alive = alive_] {
        if (*alive) drive();
      });
  }
  void watch() {
    fd_.async_wait(boost::asio::posix::stream_descriptor::wait_read, [this, alive = alive_](boost::system::error_code ec) {
      if (ec || !*alive) return;
      drive();
      watch();
    });
  }

  boost::asio::io_context& io_;
  Caller& caller_;
  boost::asio::posix::stream_descriptor fd_;
  boost::asio::steady_timer timer_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace v0
}  // namespace zguard
