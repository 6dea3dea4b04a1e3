"""The test vector of docs/wire-format.md ("Sealed feeds", "Test vector"),
made again with PyNaCl and hashlib from the section's text alone (not with
the zguard module), then with the module's sealed_feed.py; both must give
the documented bytes (and member key and key id), and the module must open
them. Prints the member's public key, its key id, the announcement and the
sealed message in hex ("public HEX", "member_id HEX", "announcement HEX",
"message HEX", the module's), then "vector ok" and exits 0; or names each
mismatch and exits 1. Driven by tests/unit-sealed-python.cpp, which
compares them with the C++ library's; the module is found through
PYTHONPATH.

usage: sealed_feed_vector.py WIRE_FORMAT_MD
"""
import hashlib
import re
import struct
import sys

import nacl.bindings as b

from zguard import sealed, sealed_feed

MEMBER_SECRET = b"\x11" * 32
EPHEMERAL_SECRET = b"\x22" * 32
EPOCH_KEY = b"\x33" * 32
EPOCH = 1767225600000000
PUBLISHER = bytes(range(8))
TOPIC = b"test.tick"
PAYLOAD = b"hello, sealed feed"
PAD_BLOCK = 16
COUNTER = 1

MEMBER_PUBLIC = "7b4e909bbe7ffe44c465a220037d608ee35897d31ef972f07f74892cb0f73f13"
MEMBER_ID = "5a732962418cf0b1"
ANNOUNCEMENT = ("4b0100402046484706000faa684ed28867b97f4a6a2dee5df8ce974e76b7018e3f22a1c4cf2678570f2001005a732962418cf0b1"
                "4312d46bd4622b22de1d954ab9f839e690bb021e93d021f4150760461fae2d2139813caa6ebf10aaf2542d437543ea87")
MESSAGE = ("46021000004020464847060001000000000000000100d0259214232c9976e6eecaf8ae56e154c8081c771eeef687d7fee262ac2f7e44"
           "c200f67cebcbfb7c11a3cf6b711ffb97")

failures = []


def check(what, got, want):
    if got != want:
        failures.append(what)
        print("MISMATCH %s\n  got  %s\n  want %s" % (what, got, want))


def by_hand():
    """The section's recipe, step by step, with nacl.bindings and hashlib."""
    m_pub = b.crypto_scalarmult_base(MEMBER_SECRET)
    e_pub = b.crypto_scalarmult_base(EPHEMERAL_SECRET)
    shared = b.crypto_scalarmult(EPHEMERAL_SECRET, m_pub)
    check("X25519(e, M) = X25519(m, E)", shared.hex(), b.crypto_scalarmult(MEMBER_SECRET, e_pub).hex())
    if shared == bytes(32):
        failures.append("all-zero X25519 result")
    # "its sealing key's id (8 bytes, as for a service key above)"
    member_id = hashlib.blake2b(b"zguard.keyid.x25519" + m_pub, digest_size=32).digest()[:8]
    wrap = hashlib.blake2b(shared + e_pub + m_pub, digest_size=32, key=b"zguard.sealed.epoch.v1").digest()
    header = b"\x4b\x01" + struct.pack("<Q", EPOCH) + e_pub + struct.pack("<H", 1)
    check("by hand: announcement header size", len(header), 44)
    ad = header + bytes([len(TOPIC)]) + TOPIC + PUBLISHER + member_id
    announcement = header + member_id + b.crypto_aead_xchacha20poly1305_ietf_encrypt(EPOCH_KEY, ad, bytes(24), wrap)
    # sodium_pad: the payload, 0x80, zeroes to the next multiple of B.
    padded = PAYLOAD + b"\x80"
    padded += bytes(-len(padded) % PAD_BLOCK)
    message_header = b"\x46\x02" + struct.pack("<HQQH", PAD_BLOCK, EPOCH, COUNTER, 1)  # one message
    check("by hand: message header size", len(message_header), 22)
    nonce = struct.pack("<QQ", EPOCH, COUNTER) + bytes(8)
    message_ad = message_header + bytes([len(TOPIC)]) + TOPIC + PUBLISHER
    message = message_header + b.crypto_aead_xchacha20poly1305_ietf_encrypt(padded, message_ad, nonce, EPOCH_KEY)
    # And open both as a member does.
    opened_key = b.crypto_aead_xchacha20poly1305_ietf_decrypt(announcement[52:], ad, bytes(24), wrap)
    check("by hand: the epoch key opened", opened_key.hex(), EPOCH_KEY.hex())
    return m_pub.hex(), member_id.hex(), announcement.hex(), message.hex()


def with_module():
    key = sealed.SealingKey(MEMBER_SECRET)
    announcement = sealed_feed.build_announcement(EPOCH, EPOCH_KEY, EPHEMERAL_SECRET, [key.public_part],
                                                  TOPIC.decode(), PUBLISHER)
    message = sealed_feed.seal_message(EPOCH_KEY, EPOCH, COUNTER, PAYLOAD, PAD_BLOCK, TOPIC.decode(), PUBLISHER)
    # The sealer, given the vector's epoch and keys, builds the same bytes.
    sealer = sealed_feed.FeedSealer([key.public_part], TOPIC.decode(), PUBLISHER, pad_block=PAD_BLOCK)
    sealer.new_epoch(EPOCH, EPOCH_KEY, EPHEMERAL_SECRET)
    check("sealer: announcement", sealer.announcement.hex(), ANNOUNCEMENT)
    check("sealer: message", sealer.seal(PAYLOAD).hex(), MESSAGE)
    # And the other way: the member opens the documented bytes.
    opener = sealed_feed.FeedOpener(key, TOPIC.decode())
    try:
        opener.open(bytes.fromhex(MESSAGE), PUBLISHER)
        failures.append("opened before the announcement")
    except sealed.SealError as e:
        check("before the announcement", e.reason, "unknown_epoch")
    check("announcement taken", opener.take_announcement(bytes.fromhex(ANNOUNCEMENT), PUBLISHER),
          sealed_feed.Announcement(EPOCH, True))
    check("opened message", opener.open(bytes.fromhex(MESSAGE), PUBLISHER), PAYLOAD)
    check("receive: an announcement again", opener.receive(bytes.fromhex(ANNOUNCEMENT), PUBLISHER), None)
    return bytes(key.public_part).hex(), key.id.hex(), announcement.hex(), message.hex()


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    with open(sys.argv[1], encoding="utf-8") as f:
        text = f.read()
    section = text[text.index("## Sealed feeds (messages format 2, announcements format 1)"):]
    section = section[:section.index("\n## ", 1)]
    documented = re.findall(r"`([0-9a-f]{64,})`", section)
    check("the documented hex (public key, announcement, message)", documented,
          [MEMBER_PUBLIC, ANNOUNCEMENT, MESSAGE])
    check("the documented key id", "`%s`" % MEMBER_ID in section, True)
    check("the documented announcement size", "Announcement (%d bytes)" % (len(ANNOUNCEMENT) // 2) in section, True)
    check("the documented message size", "(%d bytes)" % (len(MESSAGE) // 2) in section, True)
    for how, (public, member_id, announcement, message) in (("by hand", by_hand()), ("module", with_module())):
        check(how + ": member public key", public, MEMBER_PUBLIC)
        check(how + ": member key id", member_id, MEMBER_ID)
        check(how + ": announcement", announcement, ANNOUNCEMENT)
        check(how + ": message", message, MESSAGE)
    print("public", public)
    print("member_id", member_id)
    print("announcement", announcement)
    print("message", message)
    if failures:
        print("vector FAILED: %d mismatch(es)" % len(failures))
        sys.exit(1)
    print("vector ok")


if __name__ == "__main__":
    main()
