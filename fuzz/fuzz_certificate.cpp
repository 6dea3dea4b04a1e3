// libFuzzer target for certificate files (G4): any bytes, read as a public
// certificate and as a secret one by the same code that reads files
// (detail::parse_certificate, certificate_from, keypair_from). Parsing must
// never crash, and what it accepts must mean one thing:
//  - the public key's Z85 text is canonical (encoding the key gives back
//    exactly the text in the file, so one key has one spelling);
//  - an accepted secret certificate holds a secret that derives its public key;
//  - a certificate that zguard could write (metadata passes the writer's
//    checks) reads back, after writing, as the same key and metadata.
#include <zguard/certificate.hpp>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace {

[[noreturn]] void broken(char const* rule) {
  std::fprintf(stderr, "accepted certificate breaks a rule: %s\n", rule);
  std::abort();
}

zguard::detail::guarded_bytes bytes_of(char const* data, std::size_t size) {
  zguard::detail::guarded_bytes buf(size);
  if (size) std::memcpy(buf.writable(), data, size);
  return buf;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
  namespace zd = zguard::detail;
  auto const* text = reinterpret_cast<char const*>(data);
  auto const buf = bytes_of(text, size);

  std::string public_text;
  try {
    auto fields = zd::parse_certificate(buf, "fuzz");
    public_text = fields.at("curve/public-key");
    auto const cert = zd::certificate_from(fields);
    if (cert.key.z85() != public_text) broken("Z85 public key is canonical");
    bool writable = true;
    try {
      zd::check_metadata(cert.metadata);
    } catch (zguard::key_error const&) {
      writable = false;
    }
    if (writable) {
      auto const again = zd::certificate_text(false, public_text, cert.metadata);
      auto fields2 = zd::parse_certificate(bytes_of(again.data(), again.size()), "fuzz-rewritten");
      auto const cert2 = zd::certificate_from(fields2);
      if (!(cert2.key == cert.key) || cert2.metadata != cert.metadata) broken("written certificate reads back");
    }
  } catch (zguard::key_error const&) {
  }

  try {
    auto fields = zd::parse_certificate(buf, "fuzz_secret");
    auto const pair = zd::keypair_from(fields, "fuzz_secret");
    if (pair.public_part().z85() != public_text) broken("keypair's public key is the certificate's");
    std::array<std::uint8_t, 32> derived{};
    if (crypto_scalarmult_base(derived.data(), pair.secret_part().data()) != 0 ||
        std::memcmp(derived.data(), pair.public_part().data(), 32) != 0)
      broken("secret derives the public key");
  } catch (zguard::key_error const&) {
  }
  return 0;
}
