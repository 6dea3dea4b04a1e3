// The sealed payloads' test vector (docs/wire-format.md, "Sealed payloads",
// "Test vector"), made with the library from its fixed inputs: the C++ and
// the Python parity tests both check these bytes.
#pragma once

#include "../schemas.hpp"
#include "../support.hpp"

#include <array>
#include <cstdint>
#include <vector>

namespace zguard_test {

struct sealed_vector {
  std::array<std::uint8_t, 32> service_secret = counting<32>(0x01), ephemeral = counting<32>(0x40);
  zg::detail::seal_run_secret run = counting<32>(0x20);
  std::array<std::uint8_t, 24> nonce = counting<24>(0x80), answer_nonce = counting<24>(0xc0);
  zg::sealing_key key = zg::sealing_key::from_bytes(service_secret);
  std::vector<std::uint8_t> plain = zg::encode(order_ack{7, true, "sealed"});
  zg::detail::answer_key answer;
  bool sealed = false;
  std::vector<std::uint8_t> request = [this] {
    std::vector<std::uint8_t> r(zg::detail::sealed_request_overhead + plain.size());
    std::copy(plain.begin(), plain.end(), r.begin() + zg::detail::sealed_request_payload_at);
    sealed = zg::detail::seal_request_with(r.data(), plain.size(), key.public_part(), run, 9, 1700000000000,
                                           ephemeral.data(), nonce.data(), answer);
    return r;
  }();
  std::vector<std::uint8_t> reply = [this] {
    std::vector<std::uint8_t> r(zg::detail::sealed_answer_overhead + plain.size());
    std::copy(plain.begin(), plain.end(), r.begin() + zg::detail::sealed_answer_header);
    zg::detail::seal_answer_with(r.data(), plain.size(), answer, answer_nonce.data());
    return r;
  }();

 private:
  template <std::size_t N>
  static std::array<std::uint8_t, N> counting(std::uint8_t first) {
    std::array<std::uint8_t, N> a{};
    for (std::size_t i = 0; i < N; ++i) a[i] = std::uint8_t(first + i);
    return a;
  }
};

}  // namespace zguard_test
