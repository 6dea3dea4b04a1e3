// Shared helpers for the test suite: the limit sets, temporary directories
// and files with a mode, a capturing event sink, polling, commands and the
// Debian Python peers, a CURVE pair, raw CURVE peers and typed servers, hex
// text, and a check of printable text. (joined(): support/slow_joiner.hpp.)
#pragma once

#include <doctest/doctest.h>
#include <zguard/zguard.hpp>

#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <memory>
#include <mutex>
#include <ostream>
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

// Writes text to p (replacing what was there) and gives it `mode` (chmod:
// the umask does not apply); returns p as text, for command lines.
inline std::string write_file(std::filesystem::path const& p, std::string_view text, mode_t mode = 0644) {
  {
    std::ofstream f(p, std::ios::binary);
    f << text;
    REQUIRE(f.good());
  }
  ::chmod(p.c_str(), mode);
  return p.string();
}

// A file's whole text; empty when it cannot be read.
inline std::string read_file(std::filesystem::path const& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

// The permission bits of p itself (a link's own, not its target's).
inline mode_t mode_of(std::filesystem::path const& p) {
  struct stat st {};
  REQUIRE(::lstat(p.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

// A new directory with exactly `mode` (mkdir's mode goes through the umask).
inline std::filesystem::path make_dir(std::filesystem::path const& p, mode_t mode) {
  REQUIRE(::mkdir(p.c_str(), 0700) == 0);
  REQUIRE(::chmod(p.c_str(), mode) == 0);
  return p;
}

// doctest::Contains wants a C string.
inline doctest::Contains contains(std::string const& text) { return doctest::Contains(text.c_str()); }

// Collects events (and still counts them in the context's log).
// Every event a test captures is checked as a strict JSON reader would read
// its line: each key once, none named like a key the line already has
// (ts_ms, event, level). A log pipeline keeps only one of two equal keys.
inline void check_unique_keys(zguard::security_event const& e) {
  std::vector<std::string_view> keys{"ts_ms", "event", "level"};
  for (auto const& field : e.fields) {
    std::string_view const key = field.first;
    CHECK_MESSAGE(std::find(keys.begin(), keys.end(), key) == keys.end(), "event ", e.name, " has the key ", key,
                  " twice: ", zguard::to_json(e));
    keys.push_back(key);
  }
}

struct captured_events {
  std::shared_ptr<std::mutex> mu = std::make_shared<std::mutex>();
  std::shared_ptr<std::vector<zguard::security_event>> events =
      std::make_shared<std::vector<zguard::security_event>>();
  zguard::event_sink sink() const {
    return [mu = mu, events = events](zguard::security_event const& e) {
      check_unique_keys(e);
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
// Every event so far, one JSON line each: a test that says INFO(seen) gets
// them printed when one of its assertions fails (doctest writes an INFO out
// only then), so a failure shows what the sockets saw.
inline std::ostream& operator<<(std::ostream& os, captured_events const& c) {
  std::lock_guard lock(*c.mu);
  for (auto const& e : *c.events) os << "\n  " << zguard::to_json(e);
  return os;
}

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

// An authorized CURVE forwarder's sides (XSUB front, XPUB back).
using relay_limits = zguard::limits<zguard::send_hwm<1000>, zguard::recv_hwm<1000>, zguard::drop_when_full,
                                    zguard::max_message_size<4096>, zguard::linger_ms<0>, zguard::send_timeout_ms<100>,
                                    zguard::recv_timeout_ms<100>, zguard::handshake_timeout_ms<2000>>;
using relay_front =
    zguard::socket<test_domain, zguard::tcp, zguard::xsub, zguard::curve_server, relay_limits, zguard::authorized>;
using relay_back =
    zguard::socket<test_domain, zguard::tcp, zguard::xpub, zguard::curve_server, relay_limits, zguard::authorized>;

// A context with its authenticator, and a server's and a client's keys
// (the client is not allowed until a test allows it).
struct curve_pair {
  zguard::context<test_domain> ctx;
  zguard::authenticator<test_domain> auth{ctx};
  zguard::keypair server_keys = zguard::keypair::generate(), client_keys = zguard::keypair::generate();
  explicit curve_pair(zguard::event_sink sink = zguard::json_lines_to_stderr()) : ctx(std::move(sink)) {}
};

// A raw libzmq CURVE client of any pattern (not zguard: nothing checked on
// its side), not connected; -1: no timeout.
inline zmq::socket_t raw_curve(zmq::context_t& raw, zmq::socket_type type, zguard::keypair const& me,
                               zguard::public_key const& server, int recv_timeout_ms = 20, int send_timeout_ms = 100) {
  zmq::socket_t s(raw, type);
  s.set(zmq::sockopt::linger, 0);
  s.set(zmq::sockopt::rcvtimeo, recv_timeout_ms);
  s.set(zmq::sockopt::sndtimeo, send_timeout_ms);
  s.set(zmq::sockopt::curve_serverkey, zmq::const_buffer(server.data(), 32));
  s.set(zmq::sockopt::curve_publickey, zmq::const_buffer(me.public_part().data(), 32));
  s.set(zmq::sockopt::curve_secretkey, zmq::const_buffer(me.secret_part().data(), 32));
  return s;
}
inline zmq::socket_t raw_curve(zmq::context_t& raw, zmq::socket_type type, zguard::keypair const& me,
                               zguard::keypair const& server, int recv_timeout_ms = 20, int send_timeout_ms = 100) {
  return raw_curve(raw, type, me, server.public_part(), recv_timeout_ms, send_timeout_ms);
}

// A raw libzmq CURVE server of any pattern holding `keys` (it completes
// the handshake with anyone), bound on tcp loopback; -1: no timeout.
inline zmq::socket_t raw_curve_server(zmq::context_t& raw, zmq::socket_type type, zguard::keypair const& keys,
                                      int recv_timeout_ms = -1) {
  zmq::socket_t s(raw, type);
  s.set(zmq::sockopt::linger, 0);
  s.set(zmq::sockopt::rcvtimeo, recv_timeout_ms);
  s.set(zmq::sockopt::curve_server, 1);
  s.set(zmq::sockopt::curve_secretkey, zmq::const_buffer(keys.secret_part().data(), 32));
  s.bind("tcp://127.0.0.1:*");
  return s;
}

// Sends frames as one multipart message on a raw socket (results ignored:
// what an attacker's send does is the test's question, not this one's).
inline void send_frames(zmq::socket_t& s, std::vector<zmq::message_t> const& frames) {
  for (std::size_t i = 0; i < frames.size(); ++i)
    (void)s.send(zmq::const_buffer(frames[i].data(), frames[i].size()),
                 i + 1 < frames.size() ? zmq::send_flags::sndmore : zmq::send_flags::none);
}
inline void send_frames(zmq::socket_t& s, std::vector<std::string> const& frames) {
  for (std::size_t i = 0; i < frames.size(); ++i)
    (void)s.send(zmq::buffer(frames[i]), i + 1 < frames.size() ? zmq::send_flags::sndmore : zmq::send_flags::none);
}

// An attacker on a worker's back side (a raw DEALER connected to it): sends
// [empty] + frames, returns the refusal field it got back ("" when the
// reply was not a refusal).
inline std::string inject(zmq::socket_t& attacker, std::vector<std::string> const& frames) {
  REQUIRE(attacker.send(zmq::const_buffer(nullptr, 0), zmq::send_flags::sndmore));
  send_frames(attacker, frames);
  std::vector<zmq::message_t> reply;
  REQUIRE(zmq::recv_multipart(attacker, std::back_inserter(reply)));
  REQUIRE(reply.size() == 2);
  auto const r = zguard::decode<zguard::refusal>(zguard::detail::bytes_of(reply[1]));
  return r ? r->field.str() : "";
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
inline std::string to_hex(std::string_view bytes) {
  return to_hex(std::span(reinterpret_cast<std::uint8_t const*>(bytes.data()), bytes.size()));
}
inline std::vector<std::uint8_t> from_hex(std::string_view h) {
  std::vector<std::uint8_t> out(h.size() / 2);
  std::size_t n = 0;
  REQUIRE(sodium_hex2bin(out.data(), out.size(), h.data(), h.size(), nullptr, &n, nullptr) == 0);
  out.resize(n);
  return out;
}
// The same bytes in a std::string (frames, routing ids).
inline std::string string_from_hex(std::string_view h) {
  auto const bytes = from_hex(h);
  return {bytes.begin(), bytes.end()};
}

// Peers written in Python run Debian's own interpreter, which sees
// python3-zmq and python3-nacl (a python3 earlier on PATH may not):
// "python3 tests/python/SCRIPT ARGS".
inline std::string python_script(std::string const& script_and_args) {
  return std::string(ZGUARD_SYSTEM_PYTHON) + " " + ZGUARD_TEST_SCRIPTS + "/" + script_and_args;
}
// That interpreter with the zguard module (python/zguard) on its path, and
// no bytecode written into the source tree.
inline std::string python_with_module() {
  return std::string("PYTHONDONTWRITEBYTECODE=1 PYTHONPATH='") + ZGUARD_PYTHON_MODULE_DIR + "' " +
         ZGUARD_SYSTEM_PYTHON;
}
inline std::string python_script_with_module(std::string const& script_and_args) {
  return python_with_module() + " " + ZGUARD_TEST_SCRIPTS + "/" + script_and_args;
}
// Fails (never skips) when the interpreter lacks pyzmq or PyNaCl or cannot
// import the module.
inline void require_python() {
  auto [rc, out] = run_command(python_with_module() + " -c 'import zmq, nacl, zguard; print(\"ready\")' 2>&1");
  REQUIRE_MESSAGE(rc == 0, ZGUARD_SYSTEM_PYTHON " needs python3-zmq and python3-nacl "
                           "(apt-get install python3-zmq python3-nacl): ", out);
  REQUIRE(out == "ready\n");
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
  auto const [status, out] = run_command(std::string(ZGUARD_SYSTEM_PYTHON) +
                                         " -c 'import sys; bytes.fromhex(sys.argv[1]).decode(\"utf-8\")' '" +
                                         to_hex(text) + "' 2>/dev/null");
  (void)out;
  return status == 0 ? "" : "not UTF-8";
}

}  // namespace zguard_test
