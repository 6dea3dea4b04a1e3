// MESSAGE[the payload of an unverified message cannot be read; pass the envelope to zguard::verifier::verify\(\)]
#include "common.hpp"
#include <vector>
void f(std::vector<zmq::message_t> const& frames) {
  auto envelope = zg::unverified_envelope::parse(frames, true);
  envelope->payload();
}
