// zguard/impl/seal_box.ipp - sealed payloads' crypto (detail/seal_box.hpp).
#pragma once

#include <zguard/detail/seal_box.hpp>

namespace zguard {
inline namespace v0 {
namespace detail {

ZGUARD_DECL bool derive_seal_keys(std::uint8_t const* shared_input_secret, std::uint8_t const* other_public,
                                  std::uint8_t const* ephemeral_public, std::uint8_t const* service_public,
                                  std::uint8_t* request_key, std::uint8_t* answer_key_out) {
  std::array<std::uint8_t, crypto_scalarmult_BYTES> shared{};
  if (crypto_scalarmult(shared.data(), shared_input_secret, other_public) != 0) return false;  // all zero
  auto const derive = [&](std::string_view label, std::uint8_t* out) {
    crypto_generichash_state st;
    crypto_generichash_init(&st, reinterpret_cast<unsigned char const*>(label.data()), label.size(), seal_key_size);
    crypto_generichash_update(&st, shared.data(), shared.size());
    crypto_generichash_update(&st, ephemeral_public, 32);
    crypto_generichash_update(&st, service_public, 32);
    crypto_generichash_final(&st, out, seal_key_size);
    sodium_memzero(&st, sizeof st);
  };
  derive(seal_request_label, request_key);
  derive(seal_answer_label, answer_key_out);
  sodium_memzero(shared.data(), shared.size());
  return true;
}

ZGUARD_DECL seal_run seal_run_name(seal_run_secret const& secret) {
  seal_run name{};
  crypto_generichash(name.data(), name.size(), secret.data(), secret.size(),
                     reinterpret_cast<unsigned char const*>(seal_run_label.data()), seal_run_label.size());
  return name;
}

ZGUARD_DECL bool prepare_request_keys(request_keys& keys, sealing_public_key const& to,
                                      std::uint8_t const* ephemeral_secret) {
  crypto_scalarmult_base(keys.answer.request.data(), ephemeral_secret);
  if (!derive_seal_keys(ephemeral_secret, to.data(), keys.answer.request.data(), to.data(), keys.request.data(),
                        keys.answer.key.data())) {
    keys = request_keys{};
    return false;
  }
  keys.answer.armed = true;
  return true;
}

ZGUARD_DECL void seal_request_prepared(std::uint8_t* out, std::size_t plain_size, key_id const& to,
                                       seal_run_secret const& run, std::uint64_t sequence, std::uint64_t sent_at_ms,
                                       request_keys const& keys, std::uint8_t const* nonce) {
  std::uint8_t* h = out;
  h[0] = sealed_request_kind;
  h[1] = sealed_format;
  std::memcpy(h + 2, to.bytes.data(), 8);
  std::memcpy(h + 10, keys.answer.request.data(), 32);
  auto const run_name = seal_run_name(run);
  std::memcpy(h + 42, run_name.data(), seal_run_size);
  put_u64(h + 58, sequence);
  put_u64(h + 66, sent_at_ms);
  std::memcpy(h + 74, nonce, seal_nonce_size);
  std::uint8_t* body = out + sealed_request_header;
  std::memcpy(body, run.data(), seal_run_secret_size);  // the payload is already after it
  unsigned long long written = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(body, &written, body, seal_run_secret_size + plain_size, h,
                                             sealed_request_header, nullptr, nonce, keys.request.data());
}

ZGUARD_DECL bool seal_request_with(std::uint8_t* out, std::size_t plain_size, sealing_public_key const& to,
                                   seal_run_secret const& run, std::uint64_t sequence, std::uint64_t sent_at_ms,
                                   std::uint8_t const* ephemeral_secret, std::uint8_t const* nonce,
                                   answer_key& answer) {
  request_keys keys;
  if (!prepare_request_keys(keys, to, ephemeral_secret)) return false;
  seal_request_prepared(out, plain_size, to.id(), run, sequence, sent_at_ms, keys, nonce);
  answer = keys.answer;
  return true;
}

ZGUARD_DECL void seal_answer_with(std::uint8_t* out, std::size_t plain_size, answer_key const& key,
                                  std::uint8_t const* nonce) {
  out[0] = sealed_answer_kind;
  out[1] = sealed_format;
  std::memcpy(out + 2, key.request.data(), 32);
  std::memcpy(out + 34, nonce, seal_nonce_size);
  std::uint8_t* body = out + sealed_answer_header;
  unsigned long long written = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(body, &written, body, plain_size, out, sealed_answer_header, nullptr,
                                             nonce, key.key.data());
}

ZGUARD_DECL std::optional<std::array<std::uint8_t, 32>> answer_names(std::span<std::uint8_t const> frame) {
  if (frame.size() < sealed_answer_overhead || frame[0] != sealed_answer_kind || frame[1] != sealed_format)
    return std::nullopt;
  std::array<std::uint8_t, 32> request{};
  std::memcpy(request.data(), frame.data() + 2, 32);
  return request;
}

ZGUARD_DECL std::optional<seal_drop> open_answer(std::span<std::uint8_t const> frame, answer_key const& key,
                                                 std::uint8_t* plain) {
  if (frame.empty() || frame[0] != sealed_answer_kind) return seal_drop::not_sealed;
  if (frame.size() < sealed_answer_overhead || frame[1] != sealed_format) return seal_drop::malformed;
  if (!key.armed || sodium_memcmp(frame.data() + 2, key.request.data(), 32) != 0) return seal_drop::unknown_request;
  std::uint8_t const* body = frame.data() + sealed_answer_header;
  std::size_t const body_size = frame.size() - sealed_answer_header;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(plain, nullptr, nullptr, body, body_size, frame.data(),
                                                 sealed_answer_header, frame.data() + 34, key.key.data()) != 0)
    return seal_drop::forged;
  return std::nullopt;
}

ZGUARD_DECL std::optional<seal_drop> read_sealed_request(std::span<std::uint8_t const> frame,
                                                         sealed_request_fields& fields) {
  if (frame.empty() || frame[0] != sealed_request_kind) return seal_drop::not_sealed;
  if (frame.size() < sealed_request_overhead || frame[1] != sealed_format) return seal_drop::malformed;
  std::uint8_t const* h = frame.data();
  std::memcpy(fields.recipient.bytes.data(), h + 2, 8);
  std::memcpy(fields.ephemeral.data(), h + 10, 32);
  std::memcpy(fields.run.data(), h + 42, seal_run_size);
  fields.sequence = get_u64(h + 58);
  fields.sent_at_ms = get_u64(h + 66);
  return std::nullopt;
}

ZGUARD_DECL std::optional<seal_drop> open_request(std::span<std::uint8_t const> frame, sealing_key const& key,
                                                  sealed_request_fields const& fields, answer_key& answer,
                                                  std::uint8_t* plain) {
  std::array<std::uint8_t, seal_key_size> request_key{};
  if (!derive_seal_keys(sealing_access::secret(key), fields.ephemeral.data(), fields.ephemeral.data(),
                        key.public_part().data(), request_key.data(), answer.key.data()))
    return seal_drop::weak_key;
  std::uint8_t const* body = frame.data() + sealed_request_header;
  std::size_t const body_size = frame.size() - sealed_request_header;
  int const rc = crypto_aead_xchacha20poly1305_ietf_decrypt(plain, nullptr, nullptr, body, body_size, frame.data(),
                                                            sealed_request_header, frame.data() + 74,
                                                            request_key.data());
  sodium_memzero(request_key.data(), request_key.size());
  seal_run_secret secret{};
  if (rc == 0) std::memcpy(secret.data(), plain, secret.size());
  bool const own_run = rc == 0 && sodium_memcmp(seal_run_name(secret).data(), fields.run.data(), seal_run_size) == 0;
  sodium_memzero(secret.data(), secret.size());
  sodium_memzero(plain, seal_run_secret_size);  // the run's secret is not the payload's
  if (!own_run) {
    answer = answer_key{};
    return seal_drop::forged;
  }
  answer.request = fields.ephemeral;
  answer.armed = true;
  return std::nullopt;
}

}  // namespace detail
}  // namespace v0
}  // namespace zguard
