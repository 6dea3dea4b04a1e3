// libFuzzer target for ZAP request handling (G3): any frames, answered by
// the authenticator's handler (detail::zap_handler::answer, what its thread
// sends back to libzmq) of domain "fuzz" with one allowed CURVE key, one
// PLAIN user and one denied address, and a socket of each mechanism (the
// handler answers only for mechanisms a socket of its context declares). Answering must never crash, and:
//  - every input gets a ZAP reply: status 200, 400 or 500, the request id
//    echoed; 500 exactly when the frames are not a ZAP 1.0 request;
//  - 200 only for domain "fuzz", an address other than the denied one (in
//    any spelling), and NULL, the allowed CURVE key (user id: its Z85) or
//    PLAIN alice/secret (user id: alice); no user id without 200;
//  - the security event of the decision is one line of printable ASCII,
//    whatever bytes the peer put in its request (no forged log lines).
//
// Input: up to 9 frames, framed as fuzz/frames.hpp says.
#include <zguard/auth.hpp>
#include <zguard/socket.hpp>

#include "frames.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace {

using fuzz_domain = zguard::domain<"fuzz">;

[[noreturn]] void broken(char const* rule) {
  std::fprintf(stderr, "ZAP answer breaks a rule: %s\n", rule);
  std::abort();
}

std::array<std::uint8_t, 32> allowed_key_bytes() {
  std::array<std::uint8_t, 32> k{};
  for (int i = 0; i < 32; ++i) k[i] = std::uint8_t(i);  // fuzz/make_seeds.py uses the same key
  return k;
}

void check_event_line(zguard::security_event const& e) {
  auto const line = zguard::to_json(e);
  if (line.empty() || line.front() != '{' || line.back() != '}') broken("event is one JSON object");
  for (unsigned char c : line)
    if (c < 0x20 || c >= 0x7f) broken("event line is printable ASCII");
}

using fuzz_limits = zguard::limits<zguard::send_hwm<10>, zguard::recv_hwm<10>, zguard::block_when_full,
                                  zguard::max_message_size<1024>, zguard::linger_ms<0>, zguard::send_timeout_ms<10>,
                                  zguard::recv_timeout_ms<10>, zguard::handshake_timeout_ms<1000>>;

struct fixture {
  zguard::context<fuzz_domain> ctx{check_event_line};
  zguard::authenticator<fuzz_domain> auth{ctx};
  std::shared_ptr<zguard::detail::zap_handler<fuzz_domain>> handler;
  std::string allowed_z85;
  // Never bound: they only declare NULL, PLAIN and CURVE to the handler.
  zguard::socket<fuzz_domain, zguard::ipc, zguard::pull, zguard::null_mechanism, fuzz_limits> null_socket{ctx};
  zguard::socket<fuzz_domain, zguard::ipc, zguard::pull, zguard::plain_server, fuzz_limits> plain_socket{ctx, auth};
  zguard::socket<fuzz_domain, zguard::tcp, zguard::pull, zguard::curve_server, fuzz_limits> curve_socket{
      ctx, auth, zguard::keypair::generate()};

  fixture() {
    ctx.events().set_verbose(true);  // info events (zap.allow) go through the check too
    auto const key = zguard::public_key::from_bytes(allowed_key_bytes());
    allowed_z85 = key.z85();
    auth.allow(key);
    // The cheapest Argon2id hash: the handler verifies whatever the hash
    // string names, and the fuzzer needs many runs per second.
    char hash[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str(hash, "secret", 6, crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN) != 0)
      std::abort();
    auth.add_user("alice", hash);
    auth.deny_address("10.0.0.66");
    handler = auth.share();
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
  static fixture f;
  if (size == 0) return 0;
  auto frames = zguard_fuzz::frames_of(data, size, 9);
  std::vector<std::string> sent;  // answer() consumes and wipes the credential frames
  for (auto const& m : frames) sent.push_back(m.to_string());

  auto const r = f.handler->answer(frames);

  bool const request = sent.size() >= 6 && sent[0] == "1.0";
  if (r.status != "200" && r.status != "400" && r.status != "500") broken("status is 200, 400 or 500");
  if ((r.status == "500") != !request) broken("500 exactly for what is not a ZAP 1.0 request");
  if (r.request_id != (sent.size() > 1 ? sent[1] : std::string())) broken("request id echoed");
  if (r.status != "200") {
    if (!r.user_id.empty()) broken("no user id without 200");
    return 0;
  }
  if (sent[2] != "fuzz") broken("200 only for our ZAP domain");
  if (zguard::detail::canonical_ip(sent[3]) == "10.0.0.66") broken("200 never for the denied address");
  auto const& mechanism = sent[5];
  std::vector<std::string> const creds(sent.begin() + 6, sent.end());
  if (mechanism == "NULL") {
    if (!r.user_id.empty()) broken("NULL has no user id");
  } else if (mechanism == "CURVE") {
    auto const k = allowed_key_bytes();
    if (creds.size() != 1 || creds[0] != std::string(k.begin(), k.end())) broken("CURVE 200 only for the allowed key");
    if (r.user_id != f.allowed_z85) broken("CURVE user id is the key's Z85");
  } else if (mechanism == "PLAIN") {
    if (creds.size() != 2 || creds[0] != "alice" || creds[1] != "secret") broken("PLAIN 200 only for alice/secret");
    if (r.user_id != "alice") broken("PLAIN user id is the user name");
  } else {
    broken("200 only for NULL, CURVE or PLAIN");
  }
  return 0;
}
