// zguard/proxy.hpp - typed, steerable proxies between two zguard sockets
// (G13).
//
//   proxy<Front, Back>   Front/Back: zguard::socket types, each with its own
//                        transport, mechanism, limits and domain
//     ROUTER -> DEALER   queue (request/reply broker)
//     XSUB   -> XPUB     forwarder (publish/subscribe)
//     PULL   -> PUSH     streamer (pipeline)
//
// Frames pass through unchanged (zmq_proxy_steerable), so signed envelopes
// arrive as the publisher sealed them and subscribers behind a forwarder
// verify the original signer: a proxy holds no signing key, and its sides
// carry no channel or signing policy. pause(), resume() and terminate()
// steer it; the destructor terminates it.
#pragma once

#include <zmq.hpp>

#include <atomic>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <thread>
#include <type_traits>

#include <zguard/context.hpp>
#include <zguard/endpoint.hpp>
#include <zguard/pattern.hpp>

namespace zguard {
inline namespace v0 {

namespace detail {
template <class F, class B>
inline constexpr bool proxy_pair = (std::is_same_v<F, router> && std::is_same_v<B, dealer>) ||
                                   (std::is_same_v<F, xsub> && std::is_same_v<B, xpub>) ||
                                   (std::is_same_v<F, pull> && std::is_same_v<B, push>);
}  // namespace detail

template <class Front, class Back>
class proxy {
  static_assert(Front::valid && Back::valid, "zguard::proxy: both sides must be valid zguard sockets");
  static_assert(detail::proxy_pair<typename Front::pattern_type, typename Back::pattern_type>,
                "zguard::proxy<Front, Back>: the sides must be ROUTER -> DEALER (queue), XSUB -> XPUB "
                "(forwarder) or PULL -> PUSH (streamer)");
  static_assert(!Front::typed && !Back::typed && !Front::is_signed && !Back::is_signed,
                "zguard::proxy: the sides pass frames through unchanged; they carry no channel and no "
                "signing policy (the proxy holds no signing key: receivers verify the original signer) (G13)");
  static_assert(std::is_same_v<typename Front::domain_type, typename Back::domain_type>,
                "zguard::proxy: both sides must belong to one security domain; bridge domains with two "
                "proxies and an explicit check between them (G10)");
  using D = typename Front::domain_type;

 public:
  // Starts proxying between front and back (both already bound/connected)
  // on a thread of its own. The sockets must outlive the proxy and are used
  // by it alone while it runs.
  proxy(context<D>& ctx, Front& front, Back& back)
      : control_(ctx.native(), zmq::socket_type::pair), label_(Front::label() + " -> " + Back::label()) {
    auto const address = "inproc://zguard-proxy-control-" + std::to_string(reinterpret_cast<std::uintptr_t>(this));
    control_.set(zmq::sockopt::linger, 0);
    control_.bind(address);
    thread_ = std::thread([&ctx, &front, &back, address, this] {
      zmq::socket_t steer(ctx.native(), zmq::socket_type::pair);
      steer.set(zmq::sockopt::linger, 0);
      steer.connect(address);
      started_ = true;
      zmq_proxy_steerable(front.poll_handle(), back.poll_handle(), nullptr, steer.handle());
    });
    while (!started_) std::this_thread::yield();
  }
  proxy(proxy const&) = delete;
  proxy& operator=(proxy const&) = delete;
  ~proxy() { terminate(); }

  void pause() { command("PAUSE"); }
  void resume() { command("RESUME"); }
  void terminate() {
    if (!thread_.joinable()) return;
    command("TERMINATE");
    thread_.join();
  }
  std::string const& label() const { return label_; }
  static std::string profile() { return "proxy\n  front: " + Front::profile() + "\n  back:  " + Back::profile(); }

 private:
  void command(char const* what) {
    if (thread_.joinable()) (void)control_.send(zmq::buffer(std::string_view(what)), zmq::send_flags::none);
  }
  zmq::socket_t control_;
  std::string label_;
  std::atomic<bool> started_ = false;
  std::thread thread_;
};

}  // namespace v0
}  // namespace zguard
