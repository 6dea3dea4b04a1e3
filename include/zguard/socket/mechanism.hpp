// zguard/socket/mechanism.hpp - setting up a socket's security mechanism
// from the arguments its type requires (socket/argument_rules.hpp checked them):
// CURVE keys, PLAIN credentials, and the authenticator a server needs (G3).
#pragma once

#include <zmq.hpp>

#include <memory>
#include <tuple>

#include <zguard/auth.hpp>
#include <zguard/context.hpp>
#include <zguard/keys.hpp>
#include <zguard/security.hpp>

namespace zguard {
inline namespace v0 {
namespace detail {

// Same domain is checked at compile time; same context instance here. The
// returned share keeps the ZAP handler alive as long as the socket.
template <class D>
std::shared_ptr<void> authenticator_for(context<D>& ctx, authenticator<D> const& auth) {
  if (&auth.ctx() != &ctx)
    throw authenticator_error("zguard::socket: the authenticator runs in another context; a ZAP "
                              "handler only answers for sockets of its own context");
  return auth.share();
}

// Applies the mechanism's arguments; a server's authenticator share is
// stored in zap (declared before the socket, so it outlives it).
template <class M, class D, class... A>
void apply_mechanism(zmq::socket_t& sock, std::shared_ptr<void>& zap, context<D>& ctx, A&... args) {
  if constexpr (M::kind == mechanism_kind::curve && M::role == mechanism_role::server) {
    auto [auth, keys] = std::tie(args...);
    zap = authenticator_for(ctx, auth);
    sock.set(zmq::sockopt::curve_server, 1);
    sock.set(zmq::sockopt::curve_secretkey, zmq::const_buffer(keys.secret_part().data(), 32));
    sock.set(zmq::sockopt::curve_publickey, zmq::const_buffer(keys.public_part().data(), 32));
  } else if constexpr (M::kind == mechanism_kind::curve) {
    auto [keys, server] = std::tie(args...);
    sock.set(zmq::sockopt::curve_serverkey, zmq::const_buffer(server.data(), 32));
    sock.set(zmq::sockopt::curve_publickey, zmq::const_buffer(keys.public_part().data(), 32));
    sock.set(zmq::sockopt::curve_secretkey, zmq::const_buffer(keys.secret_part().data(), 32));
  } else if constexpr (M::kind == mechanism_kind::plain && M::role == mechanism_role::server) {
    auto [auth] = std::tie(args...);
    zap = authenticator_for(ctx, auth);
    sock.set(zmq::sockopt::plain_server, 1);
  } else if constexpr (M::kind == mechanism_kind::plain) {
    auto [creds] = std::tie(args...);
    sock.set(zmq::sockopt::plain_username, creds.username());
    sock.set(zmq::sockopt::plain_password, zmq::const_buffer(creds.password_data(), creds.password_size()));
  }
}

}  // namespace detail
}  // namespace v0
}  // namespace zguard
