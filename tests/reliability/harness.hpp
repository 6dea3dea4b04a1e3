// Reliability tests (docs/reliability.md): the servers under attack or under
// faults run as child processes of the test binary, so that they can be
// killed with SIGKILL and their resident memory measured on their own.
// Every loop here is bounded in count and in time.
#pragma once

#include <doctest/doctest.h>
#include <zguard/zguard.hpp>

#include <fcntl.h>
#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace reliability {

namespace zg = zguard;
namespace fs = std::filesystem;
using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

using rel_domain = zg::domain<"reliability">;

// The request/reply schemas of the service under test.
struct task {
  ZGUARD_SCHEMA("reliability.task", 1);
  BOOST_HANA_DEFINE_STRUCT(task, (std::uint64_t, client), (std::uint64_t, id), (zg::bounded_string<256>, text));
};
struct task_done {
  ZGUARD_SCHEMA("reliability.task_done", 1);
  BOOST_HANA_DEFINE_STRUCT(task_done, (std::uint64_t, client), (std::uint64_t, id), (std::uint64_t, served));
};
using task_service = zg::service<task, task_done>;

// The signed feed of the publisher fault test.
struct tick {
  ZGUARD_SCHEMA("reliability.tick", 1);
  BOOST_HANA_DEFINE_STRUCT(tick, (std::uint64_t, sequence));
};
using tick_topic = zg::topic<"ticks", tick>;

// Declared limits of the service: the memory bound the flood test checks is
// computed from these numbers.
inline constexpr int service_hwm = 100;
inline constexpr std::size_t service_max_message = 4096;
using service_limits =
    zg::limits<zg::send_hwm<service_hwm>, zg::recv_hwm<service_hwm>, zg::block_when_full,
               zg::max_message_size<service_max_message>, zg::linger_ms<0>, zg::send_timeout_ms<1000>,
               zg::recv_timeout_ms<200>, zg::handshake_timeout_ms<2000>, zg::per_peer_rate<2000, 200>>;
using service_signing = zg::signing<zg::ed25519>;
using service_socket =
    zg::socket<rel_domain, zg::tcp, zg::rep, zg::curve_server, service_limits, task_service, service_signing>;

using client_limits = zg::limits<zg::send_hwm<100>, zg::recv_hwm<100>, zg::block_when_full,
                                 zg::max_message_size<service_max_message>, zg::linger_ms<0>,
                                 zg::send_timeout_ms<1000>, zg::recv_timeout_ms<500>,
                                 zg::handshake_timeout_ms<2000>>;
using client_socket =
    zg::socket<rel_domain, zg::tcp, zg::req, zg::curve_client, client_limits, task_service, service_signing>;

using feed_limits = zg::limits<zg::send_hwm<10000>, zg::recv_hwm<10000>, zg::drop_when_full,
                               zg::max_message_size<512>, zg::linger_ms<0>, zg::send_timeout_ms<1000>,
                               zg::recv_timeout_ms<200>, zg::handshake_timeout_ms<2000>>;
using feed_pub = zg::socket<rel_domain, zg::tcp, zg::pub, zg::curve_server, feed_limits, tick_topic, service_signing>;
using feed_sub = zg::socket<rel_domain, zg::tcp, zg::sub, zg::curve_client, feed_limits, tick_topic, service_signing>;

// Key material in one directory, as an operator would deploy it:
//   server.cert(+_secret)   CURVE keypair of the servers
//   clients/NAME.cert       allowed CURVE clients (NAME_secret next to it)
//   server.sign(_secret)    Ed25519 key of the servers
//   signers/NAME.sign       verify keys of clients allowed to sign requests
struct key_store {
  struct existing_t {};
  static constexpr existing_t existing{};
  fs::path dir;
  key_store(fs::path d, existing_t) : dir(std::move(d)) {}  // what a role reads
  explicit key_store(fs::path d) : dir(std::move(d)) {
    fs::create_directories(dir / "clients");
    fs::create_directories(dir / "client-secrets");
    fs::create_directories(dir / "signers");
    zg::save_certificate(dir / "server.cert", zg::keypair::generate());
    zg::save_signing_key(dir / "server.sign", zg::signing_key<zg::ed25519>::generate());
  }
  // A client both allowed by CURVE and trusted to sign requests.
  void add_client(std::string const& name) {
    zg::save_certificate(dir / "client-secrets" / (name + ".cert"), zg::keypair::generate());
    fs::copy_file(dir / "client-secrets" / (name + ".cert"), dir / "clients" / (name + ".cert"));
    zg::save_signing_key(dir / "signers" / (name + ".sign"), zg::signing_key<zg::ed25519>::generate());
  }
  zg::keypair client_keys(std::string const& name) const {
    return zg::load_keypair_certificate(dir / "client-secrets" / (name + ".cert"));
  }
  zg::signing_key<zg::ed25519> client_signing(std::string const& name) const {
    return zg::load_signing_key<zg::ed25519>(dir / "signers" / (name + ".sign"));
  }
  zg::public_key server_key() const { return zg::load_public_certificate(dir / "server.cert").key; }
  zg::verify_keys<zg::ed25519> server_verify() const {
    zg::verify_keys<zg::ed25519> keys;
    keys.add(zg::load_verify_key(dir / "server.sign"));
    return keys;
  }
};

// A private scratch directory, removed at scope exit.
struct scratch {
  fs::path path;
  scratch() {
    std::string tmpl = (fs::temp_directory_path() / "zguard-rel-XXXXXX").string();
    REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
    path = tmpl;
  }
  ~scratch() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

// A child process; SIGKILLed and reaped at scope exit if still running.
class child {
 public:
  child(std::vector<std::string> argv, fs::path const& output) {
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    pid_ = ::fork();
    REQUIRE(pid_ >= 0);
    if (pid_ == 0) {
      int fd = ::open(output.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
      if (fd >= 0) {
        ::dup2(fd, 1);
        ::dup2(fd, 2);
      }
      ::execv(args[0], args.data());
      std::_Exit(127);
    }
  }
  child(child const&) = delete;
  child& operator=(child const&) = delete;
  ~child() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  pid_t pid() const { return pid_; }
  // Waits (at most `limit`) for the child to exit by itself; returns the status.
  int wait_exit(std::chrono::milliseconds limit) {
    REQUIRE(pid_ > 0);
    auto const deadline = steady::now() + limit;
    int status = 0;
    while (::waitpid(pid_, &status, WNOHANG) == 0) {
      if (steady::now() > deadline) FAIL("child " << pid_ << " still running after " << limit.count() << " ms");
      std::this_thread::sleep_for(10ms);
    }
    pid_ = -1;
    return status;
  }
  // Sends sig and waits (at most `limit`) for the exit; returns the status.
  int stop(int sig, std::chrono::milliseconds limit = 10s) {
    REQUIRE(pid_ > 0);
    ::kill(pid_, sig);
    auto const deadline = steady::now() + limit;
    int status = 0;
    while (::waitpid(pid_, &status, WNOHANG) == 0) {
      if (steady::now() > deadline) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, &status, 0);
        FAIL("child " << pid_ << " did not exit after signal " << sig);
      }
      std::this_thread::sleep_for(10ms);
    }
    pid_ = -1;
    return status;
  }

 private:
  pid_t pid_ = -1;
};

// This test binary, to start a role in a child: argv[0] of a role run.
inline std::string self_exe() { return fs::read_symlink("/proc/self/exe").string(); }

// Waits (bounded) for a server's endpoint file and returns its first line.
inline std::string await_endpoint(fs::path const& file, std::chrono::milliseconds limit = 15s) {
  auto const deadline = steady::now() + limit;
  while (steady::now() < deadline) {
    std::ifstream in(file);
    std::string line;
    if (std::getline(in, line) && !line.empty()) return line;
    std::this_thread::sleep_for(20ms);
  }
  FAIL("no endpoint in " << file << " after " << limit.count() << " ms");
  return {};
}

// Resident set of a process, from /proc (KiB): now and peak (VmHWM).
struct rss {
  long now_kib = 0, peak_kib = 0;
};
inline rss read_rss(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  rss r;
  std::string key;
  long value = 0;
  std::string unit;
  while (in >> key) {
    if (key == "VmRSS:" && in >> value >> unit) r.now_kib = value;
    else if (key == "VmHWM:" && in >> value >> unit) r.peak_kib = value;
  }
  return r;
}

// "name value" lines a role prints when it stops: its event counters.
inline std::map<std::string, std::uint64_t> read_counters(fs::path const& output) {
  std::map<std::string, std::uint64_t> out;
  std::ifstream in(output);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("counter ", 0) != 0) continue;
    std::istringstream fields(line.substr(8));
    std::string name;
    std::uint64_t value = 0;
    if (fields >> name >> value) out[name] = value;
  }
  return out;
}

// Latency percentiles, in microseconds.
struct latency {
  std::vector<double> samples_us;
  void add(steady::duration d) { samples_us.push_back(std::chrono::duration<double, std::micro>(d).count()); }
  double percentile(double p) {
    if (samples_us.empty()) return 0;
    std::sort(samples_us.begin(), samples_us.end());
    auto i = std::size_t(p / 100.0 * double(samples_us.size() - 1) + 0.5);
    return samples_us[std::min(i, samples_us.size() - 1)];
  }
};

// A figure line: the tests print them, docs/reliability.md quotes them.
template <class... Parts>
void figure(Parts const&... parts) {
  std::ostringstream line;
  line << "FIGURE ";
  (line << ... << parts);
  std::cout << line.str() << std::endl;
}

}  // namespace reliability
