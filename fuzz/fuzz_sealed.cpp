// libFuzzer target for sealed payloads (detail/seal_box.hpp,
// docs/wire-format.md "Sealed payloads"): any bytes, read and opened as a
// sealed request by the test vector's service and as a sealed answer with
// the vector's answer key. Nothing may crash or read out of range; what
// opens must have the layout's size and kind, and its plaintext must be
// what libsodium's own decryption of the same bytes gives (for a request:
// with the run's secret naming the header's run).
#include <zguard/zguard.hpp>

#include <sodium.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <span>
#include <vector>

namespace zd = zguard::detail;

namespace {

[[noreturn]] void fail(char const* what) {
  std::fprintf(stderr, "fuzz_sealed: %s\n", what);
  std::abort();
}

// The vector's service key (secret 01 02 .. 20) and its answer key (ephemeral 40 .. 5f).
struct vector_keys {
  zguard::sealing_key service = [] {
    std::array<std::uint8_t, 32> s{};
    for (std::size_t i = 0; i < 32; ++i) s[i] = std::uint8_t(i + 1);
    return zguard::sealing_key::from_bytes(s);
  }();
  zd::request_keys keys = [this] {
    std::array<std::uint8_t, 32> e{};
    for (std::size_t i = 0; i < 32; ++i) e[i] = std::uint8_t(0x40 + i);
    zd::request_keys k;
    if (!zd::prepare_request_keys(k, service.public_part(), e.data())) fail("the vector's keys");
    return k;
  }();
};

void as_request(std::span<std::uint8_t const> frame, vector_keys const& v) {
  zd::sealed_request_fields f;
  if (zd::read_sealed_request(frame, f)) return;
  if (frame.size() < zd::sealed_request_overhead || frame[0] != zd::sealed_request_kind || frame[1] != zd::sealed_format)
    fail("a request read that its layout refuses");
  zd::answer_key answer;
  std::vector<std::uint8_t> plain(zd::sealed_opened_size(frame.size()));
  bool const opened = !zd::open_request(frame, v.service, f, answer, plain.data());
  // Independently: the keys from the header's E, libsodium's decryption, the run's name.
  std::array<std::uint8_t, 32> request_key{}, answer_key{};
  bool const derived = zd::derive_seal_keys(zguard::detail::sealing_access::secret(v.service), f.ephemeral.data(),
                                            f.ephemeral.data(), v.service.public_part().data(), request_key.data(),
                                            answer_key.data());
  std::vector<std::uint8_t> again(plain.size());
  bool const decrypts =
      derived && crypto_aead_xchacha20poly1305_ietf_decrypt(
                     again.data(), nullptr, nullptr, frame.data() + zd::sealed_request_header,
                     frame.size() - zd::sealed_request_header, frame.data(), zd::sealed_request_header,
                     frame.data() + 74, request_key.data()) == 0;
  zd::seal_run_secret secret{};
  if (decrypts) std::memcpy(secret.data(), again.data(), secret.size());
  bool const own_run = decrypts && zd::seal_run_name(secret) == f.run;
  if (opened != own_run) fail("open_request and libsodium disagree");
  if (opened) {
    if (std::memcmp(plain.data() + zd::seal_run_secret_size, again.data() + zd::seal_run_secret_size,
                    plain.size() - zd::seal_run_secret_size) != 0)
      fail("open_request's plaintext is not libsodium's");
    for (std::size_t i = 0; i < zd::seal_run_secret_size; ++i)
      if (plain[i] != 0) fail("the run's secret was left in the opened frame");
    if (!answer.armed || answer.request != f.ephemeral) fail("an opened request without its answer key");
  }
}

void as_answer(std::span<std::uint8_t const> frame, vector_keys const& v) {
  auto const name = zd::answer_names(frame);
  if (!name) return;
  if (frame.size() < zd::sealed_answer_overhead || frame[0] != zd::sealed_answer_kind) fail("an answer named wrongly");
  std::vector<std::uint8_t> plain(frame.size() - zd::sealed_answer_overhead), again(plain.size());
  bool const opened = !zd::open_answer(frame, v.keys.answer, plain.data());
  bool const decrypts =
      *name == v.keys.answer.request &&
      crypto_aead_xchacha20poly1305_ietf_decrypt(again.data(), nullptr, nullptr, frame.data() + zd::sealed_answer_header,
                                                 frame.size() - zd::sealed_answer_header, frame.data(),
                                                 zd::sealed_answer_header, frame.data() + 34,
                                                 v.keys.answer.key.data()) == 0;
  if (opened != decrypts) fail("open_answer and libsodium disagree");
  if (opened && plain != again) fail("open_answer's plaintext is not libsodium's");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
  static vector_keys const v;
  std::span<std::uint8_t const> frame(data, size);
  as_request(frame, v);
  as_answer(frame, v);
  return 0;
}
