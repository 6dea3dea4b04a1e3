// security_profiles: prints the security profile (G17) of every socket in
// the demo pipeline: transport, mechanism, authenticator, limits, timeouts,
// connection settings (heartbeat, reconnect, keepalive, connect timeout,
// immediate, conflate; "(default)" where no tag is given), signing, rate
// limit and any insecure marker, as each type declares them.
// An auditor reads what the compiler enforces, without running anything.
#include <zguard/zguard.hpp>

#include <iostream>

#include "cli.hpp"
#include "demo_sockets.hpp"

namespace zg = zguard;
using namespace example;

int main(int argc, char** argv) {
  example::cli cli("security_profiles", "Prints the security profile of every socket of the demo pipeline.", {});
  cli.parse(argc, argv);
  auto show = [](char const* program, char const* role, std::string const& profile) {
    std::cout << program << " / " << role << ":\n  " << profile << "\n";
  };
  show("curve_service", "requests from clients", service_socket::profile());
  show("curve_client", "requests to curve_service or the broker", client_socket::profile());
  show("curve_client --in-flight N", "many requests in flight to the broker", async_client_socket::profile());
  show("broker", "queue", zg::proxy<front_socket, back_socket>::profile());
  show("worker", "requests from the broker", worker_socket::profile());
  show("signed_publisher", "quotes.eur feed", publisher_socket<eur_quotes>::profile());
  show("signed_subscriber", "quotes.eur feed", subscriber_socket<eur_quotes>::profile());
  show("feed_forwarder", "relay", zg::proxy<upstream_socket, downstream_socket>::profile());
}
