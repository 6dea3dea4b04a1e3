// Shared helpers for the test suite: temporary directories, a capturing
// event sink, and the limit sets the tests use.
#pragma once

#include <doctest/doctest.h>
#include <zguard/zguard.hpp>

#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <memory>
#include <mutex>
#include <stop_token>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace zguard_test {

using test_domain = zguard::domain<"test">;
using other_domain = zguard::domain<"other">;

// Limits for a network REQ/REP pair: small, bounded, quick to time out.
using rr_limits = zguard::limits<zguard::send_hwm<100>, zguard::recv_hwm<100>, zguard::block_when_full,
                                 zguard::max_message_size<4096>, zguard::linger_ms<0>,
                                 zguard::send_timeout_ms<1000>, zguard::recv_timeout_ms<500>,
                                 zguard::handshake_timeout_ms<2000>>;

// Limits for inproc pairs: no message size (nothing outside the process).
using inproc_limits = zguard::limits<zguard::send_hwm<100>, zguard::recv_hwm<100>, zguard::block_when_full,
                                     zguard::linger_ms<0>, zguard::send_timeout_ms<1000>,
                                     zguard::recv_timeout_ms<1000>>;

using curve_rep = zguard::socket<test_domain, zguard::tcp, zguard::rep, zguard::curve_server, rr_limits>;
using curve_req = zguard::socket<test_domain, zguard::tcp, zguard::req, zguard::curve_client, rr_limits>;

// A private directory (0700) removed at scope exit.
struct temp_dir {
  std::filesystem::path path;
  temp_dir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "zguard-test-XXXXXX").string();
    REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
    path = tmpl;
  }
  ~temp_dir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  temp_dir(temp_dir const&) = delete;
  temp_dir& operator=(temp_dir const&) = delete;
};

// Collects events (and still counts them in the context's log).
struct captured_events {
  std::shared_ptr<std::mutex> mu = std::make_shared<std::mutex>();
  std::shared_ptr<std::vector<zguard::security_event>> events =
      std::make_shared<std::vector<zguard::security_event>>();
  zguard::event_sink sink() const {
    return [mu = mu, events = events](zguard::security_event const& e) {
      std::lock_guard lock(*mu);
      events->push_back(e);
    };
  }
  std::vector<zguard::security_event> named(std::string const& name) const {
    std::lock_guard lock(*mu);
    std::vector<zguard::security_event> out;
    for (auto const& e : *events)
      if (e.name == name) out.push_back(e);
    return out;
  }
};

// Polls cond every 10 ms for at most `limit`; returns its last value.
template <class Cond>
bool eventually(Cond cond, std::chrono::milliseconds limit = std::chrono::milliseconds(5000)) {
  auto const deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (cond()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return cond();
}

// Runs a command, returns {exit status, stdout}.
inline std::pair<int, std::string> run_command(std::string const& cmd) {
  std::string out;
  FILE* f = ::popen(cmd.c_str(), "r");
  REQUIRE(f != nullptr);
  std::array<char, 4096> buf{};
  std::size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), f)) > 0) out.append(buf.data(), n);
  int status = ::pclose(f);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

// An authorized CURVE forwarder's sides (XSUB front, XPUB back), and a raw
// CURVE peer of any pattern for them (short timeouts, not connected).
using relay_limits = zguard::limits<zguard::send_hwm<1000>, zguard::recv_hwm<1000>, zguard::drop_when_full,
                                    zguard::max_message_size<4096>, zguard::linger_ms<0>, zguard::send_timeout_ms<100>,
                                    zguard::recv_timeout_ms<100>, zguard::handshake_timeout_ms<2000>>;
using relay_front =
    zguard::socket<test_domain, zguard::tcp, zguard::xsub, zguard::curve_server, relay_limits, zguard::authorized>;
using relay_back =
    zguard::socket<test_domain, zguard::tcp, zguard::xpub, zguard::curve_server, relay_limits, zguard::authorized>;

inline zmq::socket_t raw_curve(zmq::context_t& raw, zmq::socket_type type, zguard::keypair const& me,
                               zguard::keypair const& server) {
  zmq::socket_t s(raw, type);
  s.set(zmq::sockopt::linger, 0);
  s.set(zmq::sockopt::rcvtimeo, 20);
  s.set(zmq::sockopt::sndtimeo, 100);
  s.set(zmq::sockopt::curve_serverkey, zmq::const_buffer(server.public_part().data(), 32));
  s.set(zmq::sockopt::curve_publickey, zmq::const_buffer(me.public_part().data(), 32));
  s.set(zmq::sockopt::curve_secretkey, zmq::const_buffer(me.secret_part().data(), 32));
  return s;
}

// A typed CURVE server socket (REP or ROUTER) bound on tcp loopback and
// serving handler in a thread until destroyed; endpoint is its address.
template <class Server>
struct serving {
  std::string endpoint;
  std::jthread thread;
  template <class Handler>
  serving(zguard::context<test_domain>& ctx, zguard::authenticator<test_domain>& auth, zguard::keypair const& keys,
          Handler handler) {
    std::promise<std::string> bound;
    auto fut = bound.get_future();
    thread = std::jthread([&ctx, &auth, &keys, &bound, handler](std::stop_token stop) {
      Server server(ctx, auth, keys);
      bound.set_value(server.bind("tcp://127.0.0.1:*").address);
      server.serve(handler, stop);
    });
    endpoint = fut.get();
  }
};

// Calls client.call(make(i)) for i = 1..n, pausing between calls; every
// reply must be a value whose id is i. Returns the replies.
template <class Client, class Make>
auto call_each(Client& client, std::uint64_t n, Make make, std::chrono::milliseconds pause = {}) {
  std::vector<std::remove_cvref_t<decltype(*client.call(make(1)))>> replies;
  for (std::uint64_t i = 1; i <= n; ++i) {
    auto reply = client.call(make(i));
    REQUIRE_MESSAGE(reply.ok(), zguard::to_string(reply.status()), ": ", reply.reason());
    CHECK(reply->id == i);
    replies.push_back(*reply);
    std::this_thread::sleep_for(pause);
  }
  return replies;
}

inline std::string to_string(zguard::v0::security_event const& e) { return zguard::to_json(e); }

// Hex text of bytes, and bytes of hex text (for vectors and Python peers).
inline std::string to_hex(std::span<std::uint8_t const> b) {
  std::string s(b.size() * 2 + 1, '\0');
  sodium_bin2hex(s.data(), s.size(), b.data(), b.size());
  s.pop_back();
  return s;
}
inline std::vector<std::uint8_t> from_hex(std::string_view h) {
  std::vector<std::uint8_t> out(h.size() / 2);
  std::size_t n = 0;
  REQUIRE(sodium_hex2bin(out.data(), out.size(), h.data(), h.size(), nullptr, &n, nullptr) == 0);
  out.resize(n);
  return out;
}

// Why a text would not show as it is on a terminal or in a log line (empty:
// it would), checked here byte by byte, apart from zguard's printable.hpp:
// strict UTF-8 (via Python's codec, Debian's interpreter), no C0 or C1
// control, DEL, bidi control (U+061C, U+200E/F, U+202A..E, U+2066..9) or
// line separator (U+2028/9).
inline std::string why_not_shown(std::string_view text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    auto const c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 || c == 0x7f) return "C0 control or DEL at " + std::to_string(i);
    auto const next = [&](std::size_t k) { return i + k < text.size() ? static_cast<unsigned char>(text[i + k]) : 0; };
    if (c == 0xc2 && next(1) >= 0x80 && next(1) <= 0x9f) return "C1 control at " + std::to_string(i);
    if (c == 0xd8 && next(1) == 0x9c) return "U+061C at " + std::to_string(i);
    if (c == 0xe2 && next(1) == 0x80 && (next(2) == 0x8e || next(2) == 0x8f || (next(2) >= 0xa8 && next(2) <= 0xae)))
      return "bidi control or line separator at " + std::to_string(i);
    if (c == 0xe2 && next(1) == 0x81 && next(2) >= 0xa6 && next(2) <= 0xa9) return "bidi isolate at " + std::to_string(i);
  }
  std::string hex;
  for (unsigned char c : text) {
    char b[3];
    std::snprintf(b, sizeof b, "%02x", c);
    hex += b;
  }
  auto const [status, out] = run_command(std::string(ZGUARD_SYSTEM_PYTHON) +
                                         " -c 'import sys; bytes.fromhex(sys.argv[1]).decode(\"utf-8\")' '" + hex +
                                         "' 2>/dev/null");
  (void)out;
  return status == 0 ? "" : "not UTF-8";
}

}  // namespace zguard_test
