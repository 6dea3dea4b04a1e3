"""The test vector of docs/wire-format.md ("Sealed payloads", "Test
vector"), made again with PyNaCl and hashlib from the section's text alone
(not with the zguard module), then with the module's sealed.py; both must
give the documented bytes (and run name), and the module must open them.
Prints the service's public key, the sealed request and the sealed answer in hex
("public HEX", "request HEX", "answer HEX", the module's), then "vector ok"
and exits 0; or names each mismatch and exits 1. Driven by
tests/unit-sealed-python.cpp, which compares the three with the C++
library's; the module is found through PYTHONPATH.

usage: sealed_vector.py WIRE_FORMAT_MD
"""
import hashlib
import re
import struct
import sys

import nacl.bindings as b

from zguard import sealed, wire

SERVICE_SECRET = bytes(range(0x01, 0x21))
EPHEMERAL_SECRET = bytes(range(0x40, 0x60))
REQUEST_NONCE = bytes(range(0x80, 0x98))
ANSWER_NONCE = bytes(range(0xC0, 0xD8))
RUN_SECRET = bytes(range(0x20, 0x40))
SEQUENCE = 9
SENT_AT_MS = 1700000000000
# order_ack{7, true, "sealed"} (tests/schemas.hpp): format 1, name
# "test.order_ack" (u8 length), version 1, id u64, accepted, note (u8 length).
PAYLOAD = bytes([1, 14]) + b"test.order_ack" + struct.pack("<HQ", 1, 7) + bytes([1, 6]) + b"sealed"

SERVICE_PUBLIC = "07a37cbc142093c8b755dc1b10e86cb426374ad16aa853ed0bdfc0b2b86d1c7c"
RUN_NAME = "8d3182f6d0fd78beaae0e6d1e138696f"
REQUEST = ("530182cbd05a053c70e479a631eede1bf9c98f12032cdeadd0e7a079398fc786b88cc846ec89af85a51a"
           "8d3182f6d0fd78beaae0e6d1e138696f"      # the run's name: sixteen bytes
           "0900000000000000" "0068e5cf8b010000"   # sequence 9, sent at 1700000000000: eight bytes each
           "808182838485868788898a8b8c8d8e8f9091929394959697"
           "317c53c7db7c075be5a0375453650d6a831c09ae6c1d00165278ad0bd26e835c5928dab24818fdf2e6c78db3e74efc7d"
           "08c550bf7e4151aa02d4044a4446f7aef1900ff65c544f37013f3a24af052f68f941")
ANSWER = ("540179a631eede1bf9c98f12032cdeadd0e7a079398fc786b88cc846ec89af85a51ac0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0"
          "d1d2d3d4d5d6d72a139b6592b17f8646e86d0c62e007ec6be0606ac4bac10b4572af78dd65453c2af8111cdffbb20db0e78"
          "43423bb58a4a577")

failures = []


def check(what, got, want):
    if got != want:
        failures.append(what)
        print("MISMATCH %s\n  got  %s\n  want %s" % (what, got, want))


def by_hand():
    """The section's recipe, step by step, with nacl.bindings and hashlib."""
    s_pub = b.crypto_scalarmult_base(SERVICE_SECRET)
    e_pub = b.crypto_scalarmult_base(EPHEMERAL_SECRET)
    shared = b.crypto_scalarmult(EPHEMERAL_SECRET, s_pub)
    check("X25519(e, S) = X25519(s, E)", shared.hex(), b.crypto_scalarmult(SERVICE_SECRET, e_pub).hex())
    if shared == bytes(32):
        failures.append("all-zero X25519 result")
    material = shared + e_pub + s_pub
    request_key = hashlib.blake2b(material, digest_size=32, key=b"zguard.sealed.request.v1").digest()
    answer_key = hashlib.blake2b(material, digest_size=32, key=b"zguard.sealed.answer.v1").digest()
    kid = hashlib.blake2b(b"zguard.keyid.x25519" + s_pub, digest_size=32).digest()[:8]
    run_name = hashlib.blake2b(RUN_SECRET, digest_size=16, key=b"zguard.sealed.run.v1").digest()
    check("by hand: run name", run_name.hex(), RUN_NAME)
    header = b"\x53\x01" + kid + e_pub + run_name + struct.pack("<QQ", SEQUENCE, SENT_AT_MS) + REQUEST_NONCE
    check("by hand: header size", len(header), 98)
    request = header + b.crypto_aead_xchacha20poly1305_ietf_encrypt(RUN_SECRET + PAYLOAD, header, REQUEST_NONCE,
                                                                    request_key)
    answer_header = b"\x54\x01" + e_pub + ANSWER_NONCE
    answer = answer_header + b.crypto_aead_xchacha20poly1305_ietf_encrypt(PAYLOAD, answer_header, ANSWER_NONCE,
                                                                          answer_key)
    return s_pub.hex(), request.hex(), answer.hex()


def with_module():
    key = sealed.SealingKey(SERVICE_SECRET)
    check("module: run name", sealed.run_name(RUN_SECRET).hex(), RUN_NAME)
    request, answer_key = sealed.seal_request(key.public_part, PAYLOAD, RUN_SECRET, SEQUENCE, SENT_AT_MS,
                                              EPHEMERAL_SECRET, REQUEST_NONCE)
    answer = sealed.seal_answer(answer_key, PAYLOAD, ANSWER_NONCE)
    # And the other way: the service opens the request (its clock at the
    # vector's time), the client the answer with the service's answer key.
    plain, opened_key = sealed.open_request(key, bytes.fromhex(REQUEST), 30000, sealed.replay_tracker(),
                                            now_ms=SENT_AT_MS)
    check("opened request", plain.hex(), PAYLOAD.hex())
    check("opened answer", sealed.open_answer(opened_key, bytes.fromhex(ANSWER)).hex(), PAYLOAD.hex())
    check("opened answer, client's key", sealed.open_answer(answer_key, bytes.fromhex(ANSWER)).hex(), PAYLOAD.hex())
    return bytes(key.public_part).hex(), request.hex(), answer.hex()


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    with open(sys.argv[1], encoding="utf-8") as f:
        text = f.read()
    section = text[text.index("## Sealed payloads (format 1)"):]
    section = section[:section.index("\n## ", 1)]
    documented = re.findall(r"`([0-9a-f]{64,})`", section)
    check("the documented hex (public key, request, answer)", documented, [SERVICE_PUBLIC, REQUEST, ANSWER])
    check("the documented run name", "`%s`" % RUN_NAME in section, True)
    check("the documented request size", "Sealed request (%d bytes)" % (len(REQUEST) // 2) in section, True)
    check("payload is order_ack{7, true, \"sealed\"}", wire.Schema({
        "format": 1, "name": "test.order_ack", "version": 1, "fields": [
            {"name": "id", "type": {"kind": "int", "signed": False, "bytes": 8}},
            {"name": "accepted", "type": {"kind": "bool"}},
            {"name": "note", "type": {"kind": "string", "max_length": 32, "prefix_bytes": 1}}]}).decode(PAYLOAD),
        {"id": 7, "accepted": True, "note": "sealed"})
    for how, (public, request, answer) in (("by hand", by_hand()), ("module", with_module())):
        check(how + ": service public key", public, SERVICE_PUBLIC)
        check(how + ": sealed request", request, REQUEST)
        check(how + ": sealed answer", answer, ANSWER)
    print("public", public)
    print("request", request)
    print("answer", answer)
    if failures:
        print("vector FAILED: %d mismatch(es)" % len(failures))
        sys.exit(1)
    print("vector ok")


if __name__ == "__main__":
    main()
