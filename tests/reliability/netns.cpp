// Multi-host fault test (G6; docs/reliability.md): a server and a client on two hosts made
// of network namespaces joined by a veth pair (created by the test; needs
// root and iproute2). The link is cut for two seconds mid-stream and
// restored; the client's REQ calls ride out the cut by themselves.
#include <cstdlib>

#include "harness.hpp"

namespace reliability {
namespace {

int sh(std::string const& command) {
  return std::system(("PATH=/usr/sbin:/usr/bin:/sbin:/bin " + command + " >/dev/null 2>&1").c_str());
}

// Two namespaces "hosts" A (10.231.0.1) and B (10.231.0.2) on one veth link.
struct two_hosts {
  std::string suffix = std::to_string(::getpid());
  std::string a = "zgA" + suffix, b = "zgB" + suffix, va = "zva" + suffix, vb = "zvb" + suffix;
  two_hosts() {
    REQUIRE_MESSAGE(::geteuid() == 0, "the network-namespace test needs root (ip netns add)");
    REQUIRE(sh("ip netns add " + a) == 0);
    REQUIRE(sh("ip netns add " + b) == 0);
    REQUIRE(sh("ip link add " + va + " type veth peer name " + vb) == 0);
    REQUIRE(sh("ip link set " + va + " netns " + a) == 0);
    REQUIRE(sh("ip link set " + vb + " netns " + b) == 0);
    REQUIRE(sh("ip -n " + a + " addr add 10.231.0.1/24 dev " + va) == 0);
    REQUIRE(sh("ip -n " + b + " addr add 10.231.0.2/24 dev " + vb) == 0);
    for (auto const& [ns, dev] : {std::pair{a, va}, std::pair{b, vb}}) {
      REQUIRE(sh("ip -n " + ns + " link set lo up") == 0);
      REQUIRE(sh("ip -n " + ns + " link set " + dev + " up") == 0);
    }
  }
  ~two_hosts() {
    sh("ip netns del " + a);  // deleting a namespace deletes its end of the veth pair
    sh("ip netns del " + b);
  }
  std::vector<std::string> in(std::string const& ns, std::vector<std::string> argv) const {
    std::vector<std::string> full{"/usr/bin/env", "PATH=/usr/sbin:/usr/bin:/sbin:/bin", "ip", "netns", "exec", ns};
    full.insert(full.end(), argv.begin(), argv.end());
    return full;
  }
  void link(bool up) const { REQUIRE(sh("ip -n " + a + " link set " + va + (up ? " up" : " down")) == 0); }
};

}  // namespace

TEST_CASE("network partition: a link between two hosts cut for 2 s and restored, the client loses no call") {
  scratch dir;
  key_store keys(dir.path / "keys");
  keys.add_client("remote");
  two_hosts hosts;
  child server(hosts.in(hosts.a, {self_exe(), "--role", "serve", keys.dir.string(), "tcp://10.231.0.1:*",
                                  (dir.path / "endpoint").string()}),
               dir.path / "server.out");
  auto const endpoint = await_endpoint(dir.path / "endpoint");
  REQUIRE(endpoint.rfind("tcp://10.231.0.1:", 0) == 0);
  constexpr long calls = 150;  // 20 ms apart: about 3 s of traffic plus the cut
  child client(hosts.in(hosts.b, {self_exe(), "--role", "client", keys.dir.string(), "remote", endpoint,
                                  std::to_string(calls)}),
               dir.path / "client.out");
  std::this_thread::sleep_for(1s);
  hosts.link(false);
  std::this_thread::sleep_for(2s);
  hosts.link(true);
  int const status = client.wait_exit(90s);
  REQUIRE(WIFEXITED(server.stop(SIGTERM)));

  std::ifstream out(dir.path / "client.out");
  std::string word, text((std::istreambuf_iterator<char>(out)), std::istreambuf_iterator<char>());
  long answered = -1, lost = -1;
  std::istringstream(text.substr(std::min(text.find("answered"), text.size()))) >> word >> answered >> word >> lost;
  auto const counters = read_counters(dir.path / "client.out");
  auto const timeouts = counters.count("req.timeout") ? counters.at("req.timeout") : 0;
  figure("partition calls=", calls, " answered=", answered, " lost=", lost, " attempts_timed_out=", timeouts);
  INFO(text);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  CHECK(answered == calls);
  CHECK(lost == 0);
  CHECK(timeouts > 0);  // the cut was felt
}

}  // namespace reliability
